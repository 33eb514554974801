module github.com/sabre-mm/sabre

go 1.25.0

require pgregory.net/rapid v1.3.0

require github.com/anishathalye/porcupine v1.3.1

require (
	go.uber.org/goleak v1.3.0
	golang.org/x/sys v0.46.0
)

require github.com/stretchr/testify v1.9.0 // indirect
