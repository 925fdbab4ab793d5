package mock

import "github.com/contextgpt/sandbox/mock/store"

// This file is the mock's map: every operation of the two documents it serves, with the
// handler that answers it. The request chain (chain.go) matches a request against the spec,
// checks the caller, the limits, the faults and the request body, then calls the handler the
// route's operationId names here. Method and path repeat the spec for the reader; a test
// (routes_test.go) holds them to it, and holds every operation of the spec to a row.
//
// To add an operation: describe it in spec/contextgpt.yaml (or spec/mock-admin.yaml), write
// its handler in the resource's file (threads.go, webhooks.go, admin_*.go, ...), add its row.

// apiRoute binds one operation of spec/contextgpt.yaml to its domain handler and to the
// permission on the path's chatbot the caller needs ("" for the account-level operations,
// which check their account themselves).
type apiRoute struct {
	method, path, op string
	perm             store.Permission
	fn               func(*call) (result, error)
}

// apiRoutes is the public API (served in contract mode), in the spec's order. It is long on
// purpose: one row per operation, so the whole map reads in one place.
func (m *Mock) apiRoutes() []apiRoute {
	const view, edit, editSettings, manage, del = store.PermView, store.PermEdit, store.PermEditSettings, store.PermManage, store.PermDelete
	const bot = "/v1/chatbots/chatbot/{chatbotId}"
	const chat = "/v1/chatting/{chatbotId}"
	return []apiRoute{
		// Chatbots (chatbots.go)
		{"GET", "/v1/chatbots", "listChatbots", "", m.listChatbots},
		{"POST", "/v1/chatbots", "createChatbot", "", m.createChatbot},
		{"GET", "/v1/chatbots/my-chatbots", "getMyChatbots", "", m.getMyChatbots},
		{"GET", "/v1/chatbots/account/{accountId}/all-chatbots", "getAllChatbotsInAccount", view, m.getAllChatbotsInAccount},
		{"GET", "/v1/chatbots/account/{accountId}/chatbot/{chatbotId}", "getChatbotById", view, m.getChatbotByID},
		{"PATCH", "/v1/chatbots/account/{accountId}/chatbot/{chatbotId}", "updateChatbotById", editSettings, m.updateChatbotByID},
		{"DELETE", "/v1/chatbots/account/{accountId}/chatbot/{chatbotId}", "deleteChatbotById", del, m.deleteChatbotByID},
		{"POST", "/v1/chatbots/account/{accountId}/create-chatbot", "createChatbotInAccount", edit, m.createChatbotInAccount},

		// Appearance and icons (appearance.go)
		{"GET", bot + "/appearance", "getAppearanceSettings", view, m.getAppearanceSettings},
		{"POST", bot + "/appearance", "createAppearanceSettings", editSettings, m.createAppearanceSettings},
		{"PATCH", bot + "/appearance", "updateAppearanceSettings", editSettings, m.updateAppearanceSettings},
		{"GET", bot + "/settings/icons", "getIconsApi", view, m.getIcons},
		{"PATCH", bot + "/settings/icons", "updateIconsApi", editSettings, m.updateIcons},

		// Conversation starters and follow-up prompts (starters.go)
		{"GET", bot + "/conversation-starters", "getConversationStarters", view, m.getConversationStarters},
		{"POST", bot + "/conversation-starters", "createConversationStarter", editSettings, m.createConversationStarter},
		{"PATCH", bot + "/conversation-starters", "updateConversationStarter", editSettings, m.updateConversationStarter},
		{"DELETE", bot + "/conversation-starters", "deleteConversationStarter", editSettings, m.deleteConversationStarter},
		{"PATCH", bot + "/conversation-starters/reorder", "reorderConversationStarters", editSettings, m.reorderConversationStarters},
		{"GET", bot + "/follow-up-prompts", "getFollowUpPrompts", view, m.getFollowUpPrompts},
		{"POST", bot + "/follow-up-prompts", "createFollowUpPrompt", editSettings, m.createFollowUpPrompt},
		{"DELETE", bot + "/follow-up-prompts", "deleteFollowUpPrompt", editSettings, m.deleteFollowUpPrompt},
		{"PATCH", bot + "/follow-up-prompts/reorder", "reorderFollowUpPrompts", editSettings, m.reorderFollowUpPrompts},
		{"PATCH", bot + "/follow-up-prompts/{followUpPromptId}", "updateFollowUpPrompt", editSettings, m.updateFollowUpPrompt},

		// Instructions and personas (instructions.go)
		{"GET", bot + "/instructions", "getInstructions", view, m.getInstructions},
		{"POST", bot + "/instructions", "createInstruction", editSettings, m.createInstruction},
		{"DELETE", bot + "/instructions", "deleteInstruction", editSettings, m.deleteInstruction},
		{"POST", bot + "/instructions/select-instruction", "selectInstruction", editSettings, m.selectInstruction},
		{"PATCH", bot + "/instructions/{instructionId}", "updateInstruction", editSettings, m.updateInstruction},
		{"GET", bot + "/personas", "getPersonas", view, m.getPersonas},
		{"POST", bot + "/personas", "createPersona", editSettings, m.createPersona},
		{"DELETE", bot + "/personas", "deletePersona", editSettings, m.deletePersona},
		{"POST", bot + "/personas/select-persona", "selectPersona", editSettings, m.selectPersona},
		{"PATCH", bot + "/personas/{personaId}", "updatePersona", editSettings, m.updatePersona},

		// Localization (localization.go)
		{"GET", bot + "/localization", "getLocalizationTexts", view, m.getLocalizationTexts},
		{"PATCH", bot + "/localization", "upsertLocalizationText", editSettings, m.upsertLocalizationText},
		{"DELETE", bot + "/localization", "deleteLocalizationText", editSettings, m.deleteLocalizationText},
		{"GET", bot + "/localization/by-locale", "getLocalizationByLocale", view, m.getLocalizationByLocale},

		// Lead and human support settings (leadsettings.go)
		{"GET", bot + "/lead-settings", "getLeadSettings", view, m.getLeadSettings},
		{"POST", bot + "/lead-settings", "createLeadSettings", editSettings, m.createLeadSettings},
		{"PATCH", bot + "/lead-settings", "updateLeadSettings", editSettings, m.updateLeadSettings},
		{"DELETE", bot + "/lead-settings", "deleteLeadSettings", editSettings, m.deleteLeadSettings},
		{"GET", bot + "/human-support-settings", "getHumanSupportSettings", view, m.getHumanSupportSettings},
		{"POST", bot + "/human-support-settings", "createHumanSupportSettings", editSettings, m.createHumanSupportSettings},
		{"PATCH", bot + "/human-support-settings", "updateHumanSupportSettings", editSettings, m.updateHumanSupportSettings},

		// Settings (settings.go)
		{"GET", bot + "/settings", "getChatbotSettings", view, m.getChatbotSettings},
		{"PATCH", bot + "/settings", "updateChatbotSettings", editSettings, m.updateChatbotSettings},
		{"GET", bot + "/settings/general", "getGeneralSettingsApi", view, m.getGeneralSettings},
		{"PATCH", bot + "/settings/general", "updateGeneralSettingsApi", editSettings, m.updateGeneralSettings},
		{"GET", bot + "/settings/advanced", "getAdvancedSettingsApi", view, m.getAdvancedSettings},
		{"PATCH", bot + "/settings/advanced", "updateAdvancedSettingsApi", editSettings, m.updateAdvancedSettings},
		{"GET", bot + "/settings/chat-mode", "getChatModeApi", view, m.getChatMode},
		{"PATCH", bot + "/settings/chat-mode", "updateChatModeApi", editSettings, m.updateChatMode},
		{"GET", bot + "/settings/user-data", "getUserDataApi", view, m.getUserData},
		{"PATCH", bot + "/settings/user-data", "updateUserDataApi", editSettings, m.updateUserData},

		// Text snippet (textsnippet.go)
		{"GET", bot + "/text-snippet", "getTextSnippet", view, m.getTextSnippet},
		{"POST", bot + "/text-snippet", "upsertTextSnippet", editSettings, m.upsertTextSnippet},

		// Threads (threads.go) and messages (messages.go)
		{"GET", chat + "/threads", "listThreads", view, m.listThreads},
		{"POST", chat + "/threads", "createThread", manage, m.createThread},
		{"PATCH", chat + "/thread/update-thread", "updateThreadStatus", manage, m.updateThreadStatus},
		{"GET", chat + "/thread/{threadId}", "getThreadDetails", view, m.getThreadDetails},
		{"GET", chat + "/thread/{threadId}/messages", "getThreadMessages", view, m.getThreadMessages},
		{"PATCH", chat + "/thread/{threadId}/escalate", "updateEscalatedToggle", manage, m.updateEscalatedToggle},
		{"POST", chat + "/thread/{threadId}/message", "sendAgentMessage", manage, m.sendAgentMessage},
		{"PATCH", chat + "/message/{messageId}", "editMessage", manage, m.editMessage},
		{"POST", chat + "/thread/{threadId}/reset", "resetConversation", manage, m.resetConversation},

		// Webhooks (webhooks.go)
		{"GET", "/v1/webhooks/{chatbotId}", "getWebhookConfig", view, m.getWebhookConfig},
		{"PUT", "/v1/webhooks/{chatbotId}", "putWebhookConfig", editSettings, m.putWebhookConfig},
		{"DELETE", "/v1/webhooks/{chatbotId}", "deleteWebhookConfig", editSettings, m.deleteWebhookConfig},
		{"PATCH", "/v1/webhooks/{chatbotId}/toggle", "toggleWebhook", editSettings, m.toggleWebhook},
		{"GET", "/v1/webhooks/{chatbotId}/deliveries", "listWebhookDeliveries", view, m.listWebhookDeliveries},
		{"POST", "/v1/webhooks/{chatbotId}/deliveries/{deliveryId}/retry", "retryWebhookDelivery", editSettings, m.retryWebhookDelivery},
		{"POST", "/v1/webhooks/{chatbotId}/test", "sendTestWebhook", editSettings, m.sendTestWebhook},
	}
}

// adminRoute binds one operation of spec/mock-admin.yaml (the control plane under /__mock)
// to its handler.
type adminRoute struct {
	method, path, op string
	fn               adminHandler
}

// adminRoutes is the control plane (served in every mode), in the spec's order.
func (m *Mock) adminRoutes() []adminRoute {
	return []adminRoute{
		// Sandboxes and membership (admin.go, admin_members.go)
		{"GET", "/__mock/health", "getHealth", m.adminHealth},
		{"POST", "/__mock/sandboxes", "createSandbox", m.adminCreateSandbox},
		{"DELETE", "/__mock/sandboxes/{accountId}", "deleteSandbox", m.adminDeleteSandbox},
		{"POST", "/__mock/accounts/{accountId}/users", "addAccountUser", m.adminAddAccountUser},
		{"PUT", "/__mock/chatbots/{chatbotId}/members/{userId}", "setChatbotMember", m.adminSetChatbotMember},
		{"DELETE", "/__mock/chatbots/{chatbotId}/members/{userId}", "removeChatbotMember", m.adminRemoveChatbotMember},
		{"DELETE", "/__mock/caches/my-chatbots", "clearMyChatbotsCache", m.adminClearMyChatbotsCache},

		// State (admin_state.go)
		{"POST", "/__mock/reset", "resetMock", m.adminReset},
		{"GET", "/__mock/state", "getState", m.adminGetState},
		{"PUT", "/__mock/state", "putState", m.adminPutState},

		// Request journal (admin_journal.go)
		{"GET", "/__mock/requests", "listRequests", m.adminListRequests},
		{"DELETE", "/__mock/requests", "clearRequests", m.adminClearRequests},

		// Faults (admin_faults.go)
		{"POST", "/__mock/faults", "createFault", m.adminCreateFault},
		{"GET", "/__mock/faults", "listFaults", m.adminListFaults},
		{"DELETE", "/__mock/faults/{faultId}", "deleteFault", m.adminDeleteFault},

		// Clock (admin_clock.go)
		{"GET", "/__mock/clock", "getClock", m.adminGetClock},
		{"POST", "/__mock/clock", "setClock", m.adminSetClock},

		// Simulated visitors (visitors.go)
		{"POST", "/__mock/chatbots/{chatbotId}/visitors", "openVisitorThread", m.adminOpenVisitorThread},
		{"POST", "/__mock/chatbots/{chatbotId}/threads/{threadId}/visitor-messages", "sendVisitorMessage", m.adminSendVisitorMessage},
		{"POST", "/__mock/chatbots/{chatbotId}/threads/{threadId}/visitor-contact", "submitVisitorContact", m.adminSubmitVisitorContact},

		// Webhook sinks (admin_sink.go)
		{"PUT", "/__mock/webhook-sink/{name}", "configureWebhookSink", m.adminConfigureSink},
		{"POST", "/__mock/webhook-sink/{name}", "receiveWebhook", m.adminReceiveWebhook},
		{"GET", "/__mock/webhook-sink/{name}", "getWebhookSink", m.adminGetSink},
		{"DELETE", "/__mock/webhook-sink/{name}", "clearWebhookSink", m.adminClearSink},
	}
}

// registerRoutes fills the chain's operation tables from the two maps above. A mock serving
// another document than the ContextGPT contract (Config.Spec) has no domain handlers:
// its operations answer from that document's schemas and examples (generated.go). The
// control plane is always there.
func (m *Mock) registerRoutes() {
	m.ops = map[string]operation{}
	m.adminOps = map[string]adminHandler{}
	if m.contract {
		for _, r := range m.apiRoutes() {
			m.handle(r.op, r.perm, r.fn)
		}
	}
	for _, r := range m.adminRoutes() {
		m.handleAdmin(r.op, r.fn)
	}
}
