module example.com/demo

go 1.19

replace github.com/old/lib => github.com/new/lib v1.2.0

replace example.com/local => ../local

exclude golang.org/x/text v0.3.4

retract v0.9.0 // published by mistake

require (
	example.com/local v0.0.0-00010101000000-000000000000
	github.com/dgrijalva/jwt-go v3.2.0+incompatible
	github.com/gin-gonic/gin v1.6.0
	github.com/old/lib v1.0.0
	github.com/stretchr/testify v1.7.0
	golang.org/x/crypto v0.0.0-20200622213623-75b288015ac9
	golang.org/x/text v0.3.5
)

require (
	github.com/go-playground/validator/v10 v10.2.0 // indirect
	gopkg.in/yaml.v2 v2.2.8 // indirect
	gopkg.in/yaml.v3 v3.0.0-20200313102051-9f266ea9e77c // indirect
)
