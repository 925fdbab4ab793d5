package mock

// registerOperations wires the domain handlers of the ContextGPT API, one call per
// resource file. Operations left out are answered from the spec's schemas and examples.
func (m *Mock) registerOperations() {
	m.registerChatbots()
	m.registerAppearance()
	m.registerStarters()
	m.registerInstructions()
	m.registerThreads()
	m.registerLocalization()
	m.registerLeadSettings()
	m.registerSettings()
	m.registerTextSnippet()
}

// registerAdmin wires the control plane, one call per concept file.
func (m *Mock) registerAdmin() {
	m.registerSandboxAdmin()
	m.registerStateAdmin()
	m.registerJournalAdmin()
	m.registerFaultAdmin()
	m.registerClockAdmin()
	m.registerVisitors()
}
