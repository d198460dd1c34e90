package checklist

import "errors"

// YAMLError positions a yaml/v3 decoding error of data as Parse does for a
// checklist (the parser's 0-based lines corrected, the column found), so
// the other input files (answers, exceptions, selfassess.yaml) report
// syntax errors alike.
func YAMLError(name string, data []byte, err error) FieldError {
	var se *syntaxError
	if errors.As(toSyntaxError(data, err), &se) {
		return FieldError{File: name, Line: se.line, Col: se.col, Msg: se.msg}
	}
	return FieldError{File: name, Line: 1, Col: 1, Msg: "invalid YAML: " + err.Error()}
}
