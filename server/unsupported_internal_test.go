package server

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/stretchr/testify/require"
)

// TestModelOperations_MatchTheSDK keeps modelOperations, which decides between "X is not
// supported by shardlog" and AWS's bare UnknownOperationException, equal to the operations
// of the Go SDK's Kinesis client in go.mod: a new operation in the model reaches the list
// with the SDK upgrade that brings it.
func TestModelOperations_MatchTheSDK(t *testing.T) {
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	errType := reflect.TypeOf((*error)(nil)).Elem()
	client := reflect.TypeOf(&kinesis.Client{})
	sdk := map[string]bool{}
	for i := range client.NumMethod() {
		m := client.Method(i)
		ft := m.Type // the receiver is the first input
		if ft.NumIn() != 4 || !ft.IsVariadic() || ft.In(1) != ctxType || ft.NumOut() != 2 || ft.Out(1) != errType {
			continue
		}
		in, out := ft.In(2), ft.Out(0)
		if in.Kind() != reflect.Pointer || in.Elem().Name() != m.Name+"Input" ||
			out.Kind() != reflect.Pointer || out.Elem().Name() != m.Name+"Output" {
			continue
		}
		sdk[m.Name] = true
	}
	require.Greater(t, len(sdk), 40, "the reflection finds the SDK's operations")
	require.Equal(t, sdk, modelOperations)
}
