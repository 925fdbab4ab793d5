package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// uuid writes the same ids as the straightforward formula (hex of the hash's first 16
// bytes, version 4 and variant bits set, dashes at 8-4-4-4-12): seeds keep their ids.
func TestUUIDMatchesTheFormula(t *testing.T) {
	for _, seed := range []int64{0, 1, -7, 1 << 62} {
		g, ref := ids{seed: seed}, ids{seed: seed}
		for i := 0; i < 200; i++ {
			got := g.uuid()
			var in [16]byte
			binary.BigEndian.PutUint64(in[:8], uint64(ref.seed))
			binary.BigEndian.PutUint64(in[8:], ref.next())
			sum := sha256.Sum256(in[:])
			b := sum[:16]
			b[6] = (b[6] & 0x0f) | 0x40
			b[8] = (b[8] & 0x3f) | 0x80
			h := hex.EncodeToString(b)
			want := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
			if got != want {
				t.Fatalf("seed %d, id %d: %s, want %s", seed, i, got, want)
			}
			if _, ok := parseUUID(got); !ok {
				t.Fatalf("%s does not parse as a canonical UUID", got)
			}
		}
	}
}
