package mock

import (
	"net/http"
	"slices"

	"github.com/contextgpt/sandbox/mock/apierr"
	"github.com/contextgpt/sandbox/mock/store"
)

// opErrors is how one operation's error answers read, as the reference documents them.
type opErrors struct {
	// context names the operation; it is the top-level `message` of the operation's error
	// answers, as the reference's examples write it ("Fetch appearance settings"), while
	// error.message explains. Operations the reference has no example of follow the same
	// rule: the summary, in sentence case.
	context string
	// flat lists the statuses whose reference example is the flat shape
	// ({success, message}), where `message` is the explanation itself ("Lead settings not
	// found"); flatAll says every status of the operation is (the chatbot routes).
	flat    []int
	flatAll bool
	// unknownChatbot is the status an unknown chatbot id (or another account's, which must
	// read the same) answers: 404 CHATBOT_NOT_FOUND where the reference documents a 404 for
	// the operation, else 403 INSUFFICIENT_PERMISSIONS ("missing permission or chatbot not
	// found", as the reference describes its 403s). Zero for operations without a chatbot id.
	unknownChatbot int
}

// Reference-wide top-level messages (the getting-started page and the rate limiter's examples).
const (
	validationMessage = "Request body is not valid" // a request that fails its schema
	parameterMessage  = "Request is not valid"      // only parameters (path, query) fail
	tooManyRequests   = "Too many requests"         // the structured 429 of every operation
)

// operationErrors is the one table operation → error messages (and unknown-chatbot status).
// TestOperationErrorTableCoversEveryOperation checks it against the spec and the reference.
var operationErrors = map[string]opErrors{
	// Chatbots: the reference documents the flat shape for every status.
	"getMyChatbots":           {context: "Get my chatbots", flatAll: true},
	"getAllChatbotsInAccount": {context: "Get all chatbots in account", flatAll: true},
	"getChatbotById":          {context: "Get chatbot by ID", flatAll: true, unknownChatbot: 404},
	"updateChatbotById":       {context: "Update chatbot", flatAll: true, unknownChatbot: 404},
	"deleteChatbotById":       {context: "Delete chatbot", flatAll: true, unknownChatbot: 404},
	"createChatbotInAccount":  {context: "Create chatbot", flatAll: true},
	// The getting-started page's routes (not in the reference): flat as its examples.
	"listChatbots":  {context: "List chatbots", flatAll: true},
	"createChatbot": {context: "Create chatbot", flatAll: true},

	"getAppearanceSettings":    {context: "Fetch appearance settings", unknownChatbot: 404},
	"createAppearanceSettings": {context: "Create appearance settings", unknownChatbot: 403},
	"updateAppearanceSettings": {context: "Update appearance settings", unknownChatbot: 404},

	"getConversationStarters":     {context: "Get conversation starters", unknownChatbot: 403},
	"createConversationStarter":   {context: "Create conversation starter", unknownChatbot: 403},
	"updateConversationStarter":   {context: "Update conversation starter", unknownChatbot: 404},
	"deleteConversationStarter":   {context: "Delete conversation starter", unknownChatbot: 404},
	"reorderConversationStarters": {context: "Reorder conversation starters", unknownChatbot: 403},

	"getFollowUpPrompts":     {context: "Get follow-up prompts", unknownChatbot: 403},
	"createFollowUpPrompt":   {context: "Create follow-up prompt", unknownChatbot: 403},
	"deleteFollowUpPrompt":   {context: "Delete follow-up prompt", unknownChatbot: 404},
	"reorderFollowUpPrompts": {context: "Reorder follow-up prompts", unknownChatbot: 403},
	"updateFollowUpPrompt":   {context: "Update follow-up prompt", unknownChatbot: 404},

	"getInstructions":   {context: "Get instructions", flat: []int{404}, unknownChatbot: 404},
	"createInstruction": {context: "Create instruction", unknownChatbot: 403},
	"deleteInstruction": {context: "Delete instruction", unknownChatbot: 404},
	"selectInstruction": {context: "Select instruction", unknownChatbot: 403},
	"updateInstruction": {context: "Update instruction", unknownChatbot: 404},

	"getPersonas":   {context: "Get personas", unknownChatbot: 404},
	"createPersona": {context: "Create persona", unknownChatbot: 403},
	"deletePersona": {context: "Delete persona", unknownChatbot: 404},
	"selectPersona": {context: "Select persona", unknownChatbot: 404},
	"updatePersona": {context: "Update persona", unknownChatbot: 404},

	"getLocalizationTexts":    {context: "Get localization texts", unknownChatbot: 403},
	"upsertLocalizationText":  {context: "Upsert localization text", unknownChatbot: 403},
	"deleteLocalizationText":  {context: "Delete localization text", unknownChatbot: 404},
	"getLocalizationByLocale": {context: "Get localization by locale", flat: []int{404}, unknownChatbot: 404},

	"getLeadSettings":    {context: "Get lead settings", flat: []int{404}, unknownChatbot: 404},
	"createLeadSettings": {context: "Create lead settings", flat: []int{409}, unknownChatbot: 403},
	"updateLeadSettings": {context: "Update lead settings", unknownChatbot: 404},
	"deleteLeadSettings": {context: "Delete lead settings", unknownChatbot: 404},

	"getHumanSupportSettings":    {context: "Get human support settings", flat: []int{404}, unknownChatbot: 404},
	"createHumanSupportSettings": {context: "Create human support settings", flat: []int{409}, unknownChatbot: 403},
	"updateHumanSupportSettings": {context: "Update human support settings", unknownChatbot: 404},

	"getChatbotSettings":    {context: "Get chatbot settings", flat: []int{404}, unknownChatbot: 404},
	"updateChatbotSettings": {context: "Update chatbot settings", flat: []int{400}, unknownChatbot: 404},

	"listThreads":           {context: "List threads", unknownChatbot: 404},
	"getThreadDetails":      {context: "Get thread details", unknownChatbot: 404},
	"getThreadMessages":     {context: "Get thread messages", unknownChatbot: 404},
	"updateThreadStatus":    {context: "Update thread status", unknownChatbot: 404},
	"updateEscalatedToggle": {context: "Toggle escalation", unknownChatbot: 404},
	"sendAgentMessage":      {context: "Send agent message", unknownChatbot: 404},
	"editMessage":           {context: "Edit message", unknownChatbot: 404},
	"resetConversation":     {context: "Reset conversation", unknownChatbot: 404},
	// The getting-started page's create-thread route (not in the reference).
	"createThread": {context: "Create thread", unknownChatbot: 404},

	"getTextSnippet":    {context: "Get text snippet", flat: []int{404}, unknownChatbot: 404},
	"upsertTextSnippet": {context: "Upsert text snippet", unknownChatbot: 403},

	"getGeneralSettingsApi":     {context: "Get general settings", unknownChatbot: 404},
	"updateGeneralSettingsApi":  {context: "Update general settings", unknownChatbot: 404},
	"getAdvancedSettingsApi":    {context: "Get advanced settings", unknownChatbot: 403},
	"updateAdvancedSettingsApi": {context: "Update advanced settings", unknownChatbot: 403},
	"getChatModeApi":            {context: "Get chat mode", unknownChatbot: 404},
	"updateChatModeApi":         {context: "Update chat mode", flat: []int{400}, unknownChatbot: 404},
	"getUserDataApi":            {context: "Get user data settings", unknownChatbot: 404},
	"updateUserDataApi":         {context: "Update user data settings", unknownChatbot: 404},
	"getIconsApi":               {context: "Get icon settings", unknownChatbot: 404},
	"updateIconsApi":            {context: "Update icon settings", unknownChatbot: 404},

	// Webhook configuration (the dashboard's routes; not in the reference).
	"getWebhookConfig":      {context: "Get webhook configuration", unknownChatbot: 404},
	"putWebhookConfig":      {context: "Save webhook configuration", unknownChatbot: 404},
	"toggleWebhook":         {context: "Toggle webhook", unknownChatbot: 404},
	"deleteWebhookConfig":   {context: "Delete webhook configuration", unknownChatbot: 404},
	"listWebhookDeliveries": {context: "List webhook deliveries", unknownChatbot: 404},
	"retryWebhookDelivery":  {context: "Retry webhook delivery", unknownChatbot: 404},
	"sendTestWebhook":       {context: "Send test webhook", unknownChatbot: 404},
}

// topMessage is the top-level `message` of error e answered with status by operation opID
// ("" when no operation matched): a request that fails its schema says "Request body is not
// valid" (the getting-started page; "Request is not valid" when only its parameters fail);
// a status the reference documents in the flat shape carries the explanation; a structured
// 429 says "Too many requests"; any other error names its operation. Errors outside any
// operation (404/405 of no route, the size guards) carry the explanation.
func topMessage(opID string, status int, e *apierr.Error) string {
	if status == http.StatusBadRequest && len(e.Fields) > 0 {
		if e.ParamsOnly() {
			return parameterMessage
		}
		return validationMessage
	}
	oe, ok := operationErrors[opID]
	if !ok || oe.flatAll || slices.Contains(oe.flat, status) {
		return e.Message
	}
	if status == http.StatusTooManyRequests {
		return tooManyRequests
	}
	return oe.context
}

// unknownChatbot answers an unknown chatbot id, or another account's (the store reads them
// the same), as operation opID documents: 404 CHATBOT_NOT_FOUND where the reference lists a
// 404 for it, else the reference's 403 ("missing permission or chatbot not found") with the
// code its examples show. Any other error is returned as it is.
func unknownChatbot(opID string, perm store.Permission, err error) *apierr.Error {
	e := apierr.As(err)
	if e.Code != apierr.ChatbotNotFound || operationErrors[opID].unknownChatbot != http.StatusForbidden {
		return e
	}
	details := map[string]any{}
	if perm != "" {
		details["action"] = string(perm)
	}
	return apierr.New(apierr.InsufficientPermissions, "Missing permission or chatbot not found").WithDetails(details)
}
