package store

import "time"

// The store keeps its messages as it keeps its threads (threadtable.go): a stored message is
// a msgRec of a few strings the collector marks without reading, and code that works on a
// message decodes ("thaws") it into a *Message. Inside a write the thawed message is kept and
// encoded back when the write ends; outside one each get is a fresh copy. A thread's list of
// messages (seqList) names them by row; the fields lists walk without decoding (seq, role)
// sit in the record as plain values.

// msgTable is the store's messages by row (1-based; 0 is none) and by id.
type msgTable struct {
	recRows[msgRec, Message]
	words *threadTable // the chatbot ids, roles and types of records, by number (shared)
}

type msgRec struct {
	id     string // never changes
	data   string // every other field (encode)
	seq    uint64 // its place in the thread (kept sorted by the thread's list)
	thread int32  // its thread's row in the thread table (a thread's data changes with each write to it: the row does not)
	role   int32  // its role, as a word number
}

func newMsgTable(words *threadTable) *msgTable {
	return &msgTable{recRows: newRecRows[msgRec, Message](), words: words}
}

// get is the message of an id, thawed.
func (mt *msgTable) get(id string) (*Message, bool) {
	row := mt.row(id)
	if row == 0 {
		return nil, false
	}
	return mt.at(row), true
}

// at is the message of a row, thawed (kept until the write ends, inside one).
func (mt *msgTable) at(row int32) *Message {
	if m := mt.kept(row); m != nil {
		return m
	}
	tm := &thawedMessage{}
	mt.decode(row, tm)
	mt.keep(row, &tm.Message)
	return &tm.Message
}

// view decodes a row into scratch for a reader that keeps nothing of it (inside a write,
// the kept message, changes and all).
func (mt *msgTable) view(row int32, scratch *thawedMessage) *Message {
	if m := mt.kept(row); m != nil {
		return m
	}
	*scratch = thawedMessage{}
	mt.decode(row, scratch)
	return &scratch.Message
}

// thawedMessage is a decoded message and the place its optional values live.
type thawedMessage struct {
	Message
	own messageOwned
}

// isUser tells whether a row's message has the user role, without decoding it.
func (mt *msgTable) isUser(row int32) bool { return mt.words.words[mt.rec(row).role] == RoleUser }

// seqOf is a row's Seq, without decoding it.
func (mt *msgTable) seqOf(row int32) uint64 { return mt.rec(row).seq }

func (mt *msgTable) decode(row int32, tm *thawedMessage) {
	r := mt.rec(row)
	m := &tm.Message
	mt.decodeInto(r.data, m, &tm.own)
	m.ID, m.ThreadID, m.Seq, m.row = r.id, mt.words.rec(r.thread).id(), r.seq, row
}

// add stores a new message (its id not yet in the table); inside a write it is encoded when
// the write ends, outside one now.
func (mt *msgTable) add(m *Message) {
	row := mt.place()
	m.row = row
	r := mt.rec(row)
	*r = msgRec{id: m.ID, thread: mt.words.row(m.ThreadID), seq: m.Seq, role: mt.words.word(m.Role)}
	mt.ids.set(m.ID, row)
	if !mt.writing {
		r.data = mt.encode(m)
		return
	}
	mt.keep(row, m)
}

// remove drops a message (its thread's list must drop it too).
func (mt *msgTable) remove(id string) { mt.release(id) }

// freeze ends a write: every message thawed during it goes back into its record.
func (mt *msgTable) freeze() {
	mt.end(func(row int32, m *Message) {
		r := mt.rec(row)
		r.data = mt.encode(m)
		r.seq, r.role = m.Seq, mt.words.word(m.Role) // its thread never changes
	})
}

// each calls fn on every row in no particular order, with the message's chatbot.
func (mt *msgTable) each(fn func(row int32, chatbotID string)) {
	mt.ids.each(func(row int32) {
		if m := mt.kept(row); m != nil { // inside a write: may not be encoded yet
			fn(row, m.ChatbotID)
			return
		}
		d := recDecoder{s: mt.rec(row).data}
		fn(row, mt.words.words[d.uint()])
	})
}

// encode writes every field of m but its id, thread id, seq and role-as-number into one
// string (the role is in the data too, so a record reads back whole from data alone).
func (mt *msgTable) encode(m *Message) string {
	var e recEncoder
	e.b.Grow(96 + len(m.Content) + optLen(m.AgentName) + optLen(m.EditedBy))
	w := mt.words
	e.uint(uint64(w.botWord(m.ChatbotID)))
	e.uint(uint64(w.word(m.MessageType)))
	e.uint(uint64(w.word(m.Role)))
	e.str(m.Content)
	for _, p := range [...]*string{m.SystemMessageType, m.AgentName, m.ParentMessageID, m.LLMModelID, m.Reaction, m.EditedBy} {
		e.opt(p)
	}
	e.optTime(m.ContentTimestamp)
	e.optTime(m.EditedAt)
	e.time(m.CreatedAt)
	e.time(m.UpdatedAt)
	var flags uint64
	if m.IsEdited {
		flags |= 1
	}
	if m.Source != nil {
		flags |= 2
	}
	e.uint(flags)
	e.uint(uint64(len(m.Source)))
	for _, src := range m.Source {
		e.str(src.Title)
		e.str(src.URL)
		e.str(src.Snippet)
	}
	return e.b.String()
}

func (mt *msgTable) decodeInto(data string, m *Message, o *messageOwned) {
	d := recDecoder{s: data}
	w := mt.words.words
	m.ChatbotID = w[d.uint()]
	m.MessageType = w[d.uint()]
	m.Role = w[d.uint()]
	m.Content = d.str()
	m.SystemMessageType = d.opt(&o.systemType)
	m.AgentName = d.opt(&o.agentName)
	m.ParentMessageID = d.opt(&o.parent)
	m.LLMModelID = d.opt(&o.model)
	m.Reaction = d.opt(&o.reaction)
	m.EditedBy = d.opt(&o.editedBy)
	m.ContentTimestamp = d.optTime(&o.contentAt)
	m.EditedAt = d.optTime(&o.editedAt)
	m.CreatedAt = d.time()
	m.UpdatedAt = d.time()
	flags := d.uint()
	m.IsEdited = flags&1 != 0
	n := int(d.uint())
	if flags&2 != 0 {
		m.Source = make([]MessageSource, n)
		for i := range m.Source {
			m.Source[i] = MessageSource{Title: d.str(), URL: d.str(), Snippet: d.str()}
		}
	}
}

// messageOwned is where a thawed Message's optional values live (see threadOwned).
type messageOwned struct {
	systemType, agentName, parent, model, reaction, editedBy string
	contentAt, editedAt                                      time.Time
}
