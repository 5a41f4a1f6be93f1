package server

import (
	"fmt"
	"reflect"
	"time"

	"github.com/shardlog/shardlog/internal/wire"
)

// assign copies a type-checked structure into the Go input struct dst points at.
// Go field names equal the model's member names. A mismatch between a shape and
// its struct is a programming error, caught by the operation tests, and panics.
func assign(dst any, in checked, s *shape) {
	assignStruct(reflect.ValueOf(dst).Elem(), in, s)
}

func assignStruct(dst reflect.Value, in checked, s *shape) {
	for i, m := range s.members {
		val := in.at(i)
		if val == nil {
			continue
		}
		f := dst.FieldByName(m.name)
		if !f.IsValid() {
			panic(fmt.Sprintf("server: %s has no field for member %s", dst.Type(), m.name))
		}
		assignValue(f, val, m.shape)
	}
}

func assignValue(f reflect.Value, val any, s *shape) {
	if f.Kind() == reflect.Pointer {
		p := reflect.New(f.Type().Elem())
		assignValue(p.Elem(), val, s)
		f.Set(p)
		return
	}
	switch s.kind {
	case kindString:
		f.SetString(val.(string))
	case kindInteger:
		f.SetInt(val.(int64))
	case kindBoolean:
		f.SetBool(val.(bool))
	case kindBlob:
		f.SetBytes(val.([]byte))
	case kindTimestamp:
		f.Set(reflect.ValueOf(val.(time.Time)))
	case kindList:
		assignList(f, val.([]any), s.elem)
	case kindMap:
		m := reflect.MakeMapWithSize(f.Type(), len(val.(wire.Object)))
		for _, e := range val.(wire.Object) {
			v, _ := e.Val.(string)
			m.SetMapIndex(reflect.ValueOf(e.Key), reflect.ValueOf(v))
		}
		f.Set(m)
	case kindStructure:
		assignStruct(f, val.(checked), s)
	}
}

func assignList(f reflect.Value, list []any, elem *shape) {
	out := reflect.MakeSlice(f.Type(), len(list), len(list))
	for i, e := range list {
		if e != nil {
			assignValue(out.Index(i), e, elem)
		}
	}
	f.Set(out)
}
