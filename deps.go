package deps

import (
	_ "github.com/brianvoe/gofakeit/v7"
	_ "github.com/getkin/kin-openapi/openapi3"
	_ "github.com/getkin/kin-openapi/openapi3filter"
	_ "github.com/pb33f/libopenapi"
	_ "github.com/pb33f/libopenapi-validator"
	_ "github.com/stretchr/testify/require"
	_ "github.com/theory/jsonpath"
	_ "go.yaml.in/yaml/v3"
)
