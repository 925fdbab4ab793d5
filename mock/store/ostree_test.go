package store

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestOSTreeAgainstSortedSlice runs random inserts and deletes on the tree and on a sorted
// slice, and checks Len, At, Rank, Ascend and Page agree after every step.
func TestOSTreeAgainstSortedSlice(t *testing.T) {
	t.Run("plain", func(t *testing.T) { testOSTree(t, newOSTree(cmp.Compare[int], intItem)) })
	// A coarse prefix: most comparisons are decided by it, ties fall back to cmp.
	t.Run("prefix", func(t *testing.T) {
		testOSTree(t, newPrefixTree(cmp.Compare[int], func(x int) int64 { return int64(x / 10) }, intItem))
	})
}

// intItem resolves the test trees' refs: an int is its own ref.
func intItem(ref int32) int { return int(ref) }

func testOSTree(t *testing.T, tr *ostree[int]) {
	r := rand.New(rand.NewPCG(1, 2))
	var ref []int
	in := map[int]bool{}
	for step := 0; step < 4000; step++ {
		v := r.IntN(1000)
		if in[v] {
			if !tr.Delete(v) {
				t.Fatalf("step %d: Delete(%d) did not find it", step, v)
			}
			i, _ := slices.BinarySearch(ref, v)
			ref = slices.Delete(ref, i, i+1)
			delete(in, v)
		} else {
			tr.Insert(v, int32(v))
			i, _ := slices.BinarySearch(ref, v)
			ref = slices.Insert(ref, i, v)
			in[v] = true
		}
		if tr.Len() != len(ref) {
			t.Fatalf("step %d: Len %d, want %d", step, tr.Len(), len(ref))
		}
		if step%97 != 0 {
			continue
		}
		for i, x := range ref {
			if got := tr.At(i); got != x {
				t.Fatalf("step %d: At(%d) = %d, want %d", step, i, got, x)
			}
			if rk, ok := tr.Rank(x); !ok || rk != i {
				t.Fatalf("step %d: Rank(%d) = %d,%v, want %d", step, x, rk, ok, i)
			}
		}
		start, limit := r.IntN(len(ref)+3), 1+r.IntN(30)
		var got []int
		tr.Page(start, limit, func(x int) { got = append(got, x) })
		var want []int
		if start < len(ref) {
			want = ref[start:min(start+limit, len(ref))]
		}
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: Page(%d,%d) = %v, want %v", step, start, limit, got, want)
		}
	}
	if tr.Delete(-1) {
		t.Fatal("Delete of an absent item reported true")
	}
	if rk, ok := tr.Rank(-1); ok || rk != 0 {
		t.Fatalf("Rank(-1) = %d,%v", rk, ok)
	}
}
