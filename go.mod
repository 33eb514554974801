module github.com/sabre-mm/sabre

go 1.24

require pgregory.net/rapid v1.3.0
