package supervisor

import (
	"fmt"
	"os"
	"strings"

	"github.com/sup-run/sup/runtime/spec"
)

// maxEnvFile bounds an env_file: it is read on the loop at every start.
const maxEnvFile = 1 << 20

// readEnvFile reads and parses an env_file; errors name the file.
func readEnvFile(path string) ([]spec.EnvVar, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("env_file: %w", err)
	}
	defer f.Close()
	buf := make([]byte, maxEnvFile+1)
	n, _ := readFull(f, buf)
	if n > maxEnvFile {
		return nil, fmt.Errorf("env_file %s: larger than %d bytes", path, maxEnvFile)
	}
	vars, err := spec.ParseEnvFile(string(buf[:n]))
	if err != nil {
		return nil, fmt.Errorf("env_file %s: %w", path, err)
	}
	return vars, nil
}

func readFull(f *os.File, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := f.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// lookupEnv finds a variable in an environment list (the last one wins).
func lookupEnv(env []string, name string) (string, bool) {
	prefix := name + "="
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], prefix); ok {
			return v, true
		}
	}
	return "", false
}
