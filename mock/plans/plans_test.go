package plans

import (
	"strings"
	"testing"
)

func TestParseReadsEveryPlanInAnyCase(t *testing.T) {
	for p := range Documented() {
		got, err := Parse("  " + strings.ToUpper(string(p)) + " ")
		if err != nil || got != p {
			t.Errorf("Parse(%q) = %q, %v", p, got, err)
		}
	}
	if _, err := Parse("platinum"); err == nil {
		t.Error("an unknown plan parsed")
	}
}

func TestDocumentedEnterpriseIsUnlimited(t *testing.T) {
	e := Documented()[Enterprise]
	if e.Chatbots != Unlimited || e.MessagesPerMonth != Unlimited {
		t.Errorf("enterprise = %+v, want unlimited chatbots and messages per month", e)
	}
	if Documented()[Trial].APIAccess {
		t.Error("the trial plan has API access")
	}
}
