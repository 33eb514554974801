module github.com/sabre-mm/sabre

go 1.24
