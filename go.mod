module github.com/sabre-mm/sabre

go 1.24

require pgregory.net/rapid v1.3.0

require github.com/anishathalye/porcupine v1.3.1

require go.uber.org/goleak v1.3.0
