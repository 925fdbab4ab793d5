//go:build race

package spec

// raceEnabled: the race detector makes the exhaustive tests several times slower, so they
// take a smaller sample under it (make test runs with -race).
const raceEnabled = true
