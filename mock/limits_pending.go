package mock

// limitsName names the limits in force, for GET /__mock/health. Limits arrive with the
// limits issue; until then the mock enforces none.
func (m *Mock) limitsName() string { return "off" }
