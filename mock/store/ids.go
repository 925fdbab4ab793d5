package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// idBase makes account and chatbot ids look like the reference's 18-digit numbers.
const idBase = 361628903185300000

// ids derives every id from the seed and a sequence number, so a run is reproducible and
// ids made after an import never collide with imported ones (the sequence is exported).
type ids struct {
	seed int64
	seq  uint64
	// randomKeys draws API keys from crypto/rand instead of the seed (Config.RandomKeys).
	randomKeys bool
}

func (g *ids) next() uint64 {
	g.seq++
	return g.seq
}

// numeric is an 18-digit numeric string (accounts, chatbots, users: createdByUserId in the
// reference's examples).
func (g *ids) numeric() string {
	return fmt.Sprintf("%018d", idBase+g.next())
}

// uuid is an RFC 4122 version-4 UUID derived from the seed and the sequence.
func (g *ids) uuid() string {
	var in [16]byte
	binary.BigEndian.PutUint64(in[:8], uint64(g.seed))
	binary.BigEndian.PutUint64(in[8:], g.next())
	b := sha256.Sum256(in[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	// Written straight into the 36 bytes: one allocation, the string.
	var out [36]byte
	j := 0
	for i := 0; i < 16; i++ {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hexDigits[b[i]>>4], hexDigits[b[i]&0x0f]
		j += 2
	}
	return string(out[:])
}

const hexDigits = "0123456789abcdef"

// apiKey is "sk_" and 64 hex digits, the real key format: from crypto/rand, or derived
// from the seed when keys are to be reproducible. The sequence moves either way, so the
// other ids do not depend on the choice.
func (g *ids) apiKey() string {
	b := g.bytes(32)
	if g.randomKeys {
		if _, err := rand.Read(b); err != nil {
			panic("store: crypto/rand: " + err.Error())
		}
	}
	return "sk_" + hex.EncodeToString(b)
}

func (g *ids) bytes(n int) []byte {
	var in [16]byte
	binary.BigEndian.PutUint64(in[:8], uint64(g.seed))
	binary.BigEndian.PutUint64(in[8:], g.next())
	sum := sha256.Sum256(in[:])
	return sum[:n]
}

// freshNumericLocked is the next numeric id that no account, chatbot or user holds yet: fixtures
// pin ids in the same range, so the sequence steps over them.
func (s *Store) freshNumericLocked() string {
	for {
		id := s.ids.numeric()
		_, acc := s.accounts[id]
		_, bot := s.chatbots[id]
		_, user := s.users[id]
		if !acc && !bot && !user {
			return id
		}
	}
}

// freshUUIDLocked is the next uuid that no thread, message, lead or webhook delivery holds
// yet. Ids follow from the seed and the sequence, so a state imported with an idSequence
// behind its own ids would otherwise hand an imported id to a new record, which would take
// its place (the sequence steps over such ids, as freshNumericLocked does).
func (s *Store) freshUUIDLocked() string {
	for {
		id := s.ids.uuid()
		k, _ := parseUUID(id) // always one: parsed once for both tables
		_, lead := s.leads[id]
		_, delivery := s.deliveries[id]
		if s.threads.ids.byUUID[k] == 0 && s.messages.ids.byUUID[k] == 0 && !lead && !delivery {
			return id
		}
	}
}
