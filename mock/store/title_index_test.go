package store

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSelectByTitleMatchesListWalk runs random creates, renames, deletes and selects by
// title on one chatbot's instruction sets and personas, and checks every select against
// the rule the index replaced: the first item in creation order whose title, without
// surrounding blanks, equals the asked one under strings.EqualFold.
func TestSelectByTitleMatchesListWalk(t *testing.T) {
	s, bot := starterTestStore(t)
	s.cfg.Caps.InstructionsPerChatbot, s.cfg.Caps.PersonasPerChatbot = -1, -1
	r := rand.New(rand.NewPCG(3, 4))
	titles := []string{"Support", "support", " SUPPORT ", "Sales", "sAles", "K", "k", "Straße", "STRASSE", "Ǆ", "ǅ", "ǆ"}
	pick := func() string { return titles[r.IntN(len(titles))] }
	walk := func(titles []string, want string) int { // index of the first match, -1 for none
		for i, x := range titles {
			if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(want)) {
				return i
			}
		}
		return -1
	}
	for step := 0; step < 600; step++ {
		s.mu.RLock()
		var iTitles, iIDs, pTitles, pIDs []string
		for _, x := range s.chatbots[bot].Instructions {
			iTitles, iIDs = append(iTitles, x.itemTitle()), append(iIDs, x.ID)
		}
		for _, x := range s.chatbots[bot].Personas {
			pTitles, pIDs = append(pTitles, x.Title), append(pIDs, x.ID)
		}
		s.mu.RUnlock()
		switch op := r.IntN(6); {
		case op == 0 || len(iIDs) < 3:
			if _, err := s.CreateInstruction(bot, NewInstruction{Title: pick(), Instruction: "x"}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreatePersona(bot, NewPersona{Title: pick(), Instructions: "x"}); err != nil {
				t.Fatal(err)
			}
		case op == 1:
			id := iIDs[r.IntN(len(iIDs))]
			if _, err := s.UpdateInstruction(bot, id, InstructionPatch{Title: ptr(pick())}); err != nil {
				t.Fatal(err)
			}
		case op == 2:
			if _, err := s.DeleteInstructions(bot, []string{iIDs[r.IntN(len(iIDs))]}); err != nil && starterErrCode(err) == "" {
				t.Fatal(err)
			}
			if len(pIDs) > 0 {
				if _, err := s.DeletePersonas(bot, []string{pIDs[r.IntN(len(pIDs))]}); err != nil && starterErrCode(err) == "" {
					t.Fatal(err)
				}
			}
		default:
			want := pick()
			got, created, err := s.SelectInstruction(bot, SelectInput{Title: &want})
			i := walk(iTitles, want)
			switch {
			case i < 0 && (err == nil || created):
				// no match: without a body nothing may be created
				t.Fatalf("step %d: select %q matched %v (created %v), want no match among %q", step, want, got.ID, created, iTitles)
			case i >= 0 && (err != nil || got.ID != iIDs[i]):
				t.Fatalf("step %d: select %q gave %s (%v), want %s among %q", step, want, got.ID, err, iIDs[i], iTitles)
			}
			gotP, createdP, errP := s.SelectPersona(bot, SelectInput{Title: &want})
			j := walk(pTitles, want)
			switch {
			case j < 0 && (errP == nil || createdP):
				t.Fatalf("step %d: persona select %q matched %v, want no match among %q", step, want, gotP.ID, pTitles)
			case j >= 0 && (errP != nil || gotP.ID != pIDs[j]):
				t.Fatalf("step %d: persona select %q gave %s (%v), want %s among %q", step, want, gotP.ID, errP, pIDs[j], pTitles)
			}
		}
	}
}
