//go:build unix

package livetest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
)

// Paths of the interpreters the middleware scenarios run under: Node 20
// (express + cors from npm) and Debian's python3 with python3-flask and
// python3-flask-cors. PATH is searched after these.
var (
	NodePaths   = []string{"/usr/bin/node"}
	PythonPaths = []string{"/usr/bin/python3"}
)

// MiddlewareDir is where the scenario apps live (middleware/express,
// middleware/flask), next to this file.
func MiddlewareDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "middleware")
}

// StartExpress runs middleware/express/app.js (express 5 + cors 2.8.6,
// installed by `npm ci` in that directory; .ci/run does it) on a free
// loopback port.
func StartExpress(dir string) (*Server, error) {
	node, err := findBinary("node", NodePaths)
	if err != nil {
		return nil, err
	}
	app := filepath.Join(MiddlewareDir(), "express")
	for _, mod := range []string{"express", "cors"} {
		if _, err := os.Stat(filepath.Join(app, "node_modules", mod, "package.json")); err != nil {
			return nil, fmt.Errorf("node module %s (run `npm ci` in %s): %w", mod, app, ErrNotInstalled)
		}
	}
	return startApp("express", dir, node, filepath.Join(app, "app.js"))
}

// StartFlask runs middleware/flask/app.py under a python3 that has flask
// and flask_cors (Debian's packages) on a free loopback port.
func StartFlask(dir string) (*Server, error) {
	py, err := findBinary("python3", PythonPaths)
	if err != nil {
		return nil, err
	}
	if out, err := exec.Command(py, "-c", "import flask, flask_cors").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s cannot import flask and flask_cors (apt install python3-flask python3-flask-cors): %s: %w", py, out, ErrNotInstalled)
	}
	return startApp("flask", dir, py, filepath.Join(MiddlewareDir(), "flask", "app.py"))
}

// startApp runs `interpreter script PORT`. The script is the whole
// configuration; nothing is written but a note of what runs.
func startApp(kind, dir, interpreter, script string) (*Server, error) {
	if _, err := os.Stat(script); err != nil {
		return nil, errors.Join(fmt.Errorf("%s app missing", kind), err)
	}
	return start(kind, dir, Config{}, func(v Vars) (launch, error) {
		return launch{conf: interpreter + " " + script + " " + strconv.Itoa(v.Port) + "\n", confPath: filepath.Join(v.Dir, "command"),
			argv: []string{interpreter, script, strconv.Itoa(v.Port)}}, nil
	})
}
