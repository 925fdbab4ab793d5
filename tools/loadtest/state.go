package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// The mock's state: where the rows' key and chatbot come from, and how the 100,000-thread
// rows get their threads.

// getState reads the mock's state document (GET /__mock/state).
func getState(base string) ([]byte, error) {
	resp, err := http.Get(base + "/__mock/state")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET /__mock/state: status %d: %.300s", resp.StatusCode, b)
	}
	return b, err
}

// pickKeyAndChatbot picks from a state document an active key of an enterprise or scale
// account holding a chatbot, and that chatbot.
func pickKeyAndChatbot(state []byte) (key, bot string, err error) {
	var doc struct {
		Accounts []struct {
			ID   string `json:"accountId"`
			Plan string `json:"plan"`
		} `json:"accounts"`
		APIKeys []struct {
			Key       string `json:"apiKey"`
			AccountID string `json:"accountId"`
			IsActive  bool   `json:"isActive"`
		} `json:"apiKeys"`
		Chatbots []struct {
			ID        string `json:"chatbotId"`
			AccountID string `json:"accountId"`
		} `json:"chatbots"`
	}
	if err := json.Unmarshal(state, &doc); err != nil {
		return "", "", fmt.Errorf("reading the mock's state: %w", err)
	}
	for _, plan := range []string{"enterprise", "scale"} {
		for _, a := range doc.Accounts {
			if a.Plan != plan {
				continue
			}
			for _, c := range doc.Chatbots {
				if c.AccountID != a.ID {
					continue
				}
				for _, k := range doc.APIKeys {
					if k.AccountID == a.ID && k.IsActive {
						return k.Key, c.ID, nil
					}
				}
			}
		}
	}
	return "", "", errors.New("the mock's fixtures hold no enterprise or scale account with a chatbot and a key")
}

// pageThreads is the page the GET rows ask for (limit=20), and the threads the chatbot holds
// for the rows without -threads.
const pageThreads = 20

// fillThreads replaces the mock's state with initial (its state at start) plus n threads on
// one chatbot, through PUT /__mock/state: seconds, where n POSTs would take a minute on a
// busy machine, and exactly n more threads than at start, whatever earlier rows created.
func fillThreads(base string, initial []byte, bot string, n int) error {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(initial, &doc); err != nil {
		return err
	}
	var threads []json.RawMessage
	var err error
	if err = json.Unmarshal(doc["threads"], &threads); err != nil {
		return err
	}
	var seq uint64
	if err := json.Unmarshal(doc["idSequence"], &seq); err != nil {
		return err
	}
	at := time.Now().UTC().Add(-time.Duration(n) * time.Millisecond)
	for i := 0; i < n; i++ {
		ts := at.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339Nano)
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		visitor := fmt.Sprintf("10000000-0000-4000-8000-%012d", i)
		seq++
		threads = append(threads, json.RawMessage(fmt.Sprintf(`{"id":%q,"chatbotId":%q,"visitorId":%q,"title":"Seeded %d",`+
			`"mode":"AI","anonymous":true,"unreadMessagesCount":0,"escalated":false,"important":false,"resolved":false,"archived":false,`+
			`"tags":[],"positiveCount":0,"negativeCount":0,"platformSource":"api","startedAt":%q,"updatedAt":%q,"endedAt":null,`+
			`"visitorName":null,"visitorEmail":null,"visitorPhone":null,"botIconSrc":null,"userIconSrc":null,"agentIconSrc":null,`+
			`"bubbleIconSrc":null,"llmModel":null,"internalNotes":null,"lastActivityAt":%q,"seq":%d}`, id, bot, visitor, i, ts, ts, ts, seq)))
	}
	if doc["threads"], err = json.Marshal(threads); err != nil {
		return err
	}
	if doc["idSequence"], err = json.Marshal(seq); err != nil {
		return err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPut, base+"/__mock/state", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("PUT /__mock/state: status %d: %.300s", resp.StatusCode, b)
	}
	return nil
}
