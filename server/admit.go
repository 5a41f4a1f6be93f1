package server

import "reflect"

// streamNameOf returns the StreamName of an operation's input (filled in from its
// StreamARN by checkInput), or "" when it has none. Only Options.Admit needs it.
func streamNameOf(in any) string {
	switch t := in.(type) {
	case *PutRecordsInput:
		return t.StreamName
	case *PutRecordInput:
		return t.StreamName
	}
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	if f := v.Elem().FieldByName("StreamName"); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}
