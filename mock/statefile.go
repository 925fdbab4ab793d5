package mock

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// removeStaleTemps deletes the temporary files an interrupted save left next to the state
// file (SaveState writes <name>.tmp-* and renames it; a kill between the two leaves one).
func removeStaleTemps(path string, log *slog.Logger) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), globEscape(filepath.Base(path))+".tmp-*"))
	for _, f := range matches {
		if err := os.Remove(f); err == nil {
			log.Info("removed a temporary state file an interrupted save left", "file", f)
		}
	}
}

func globEscape(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch r {
		case '*', '?', '[', '\\':
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}

// startStateSaver keeps --state-file current: every StateSaveInterval it saves the state
// if the store changed since the last save, so a kill -9 loses at most that much. The
// store is copied under its read lock and encoded and written outside it (store.Export).
// Close stops it and saves one last time.
func (m *Mock) startStateSaver() {
	every := m.cfg.StateSaveInterval
	if every <= 0 {
		every = time.Second
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	saved := m.store.Generation() // what the file holds (just loaded, or nothing to save yet)
	save := func() {
		g := m.store.Generation()
		if g == saved {
			return
		}
		if err := m.SaveState(m.cfg.StateFile); err != nil {
			m.log.Error("state file not saved", "file", m.cfg.StateFile, "err", err)
			return
		}
		saved = g
	}
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				save()
			}
		}
	}()
	m.closers = append(m.closers, func(context.Context) error {
		close(stop)
		<-done
		return m.SaveState(m.cfg.StateFile)
	})
}
