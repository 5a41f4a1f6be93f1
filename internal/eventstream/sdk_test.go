package eventstream_test

import (
	"bytes"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/shardlog/shardlog/internal/eventstream"
)

// The SDK's codec is the one the Go SDK v2 reads SubscribeToShard with: our
// frames must decode there to the same message, and its frames here.

// toSDK converts our message to the SDK's.
func toSDK(t *testing.T, m eventstream.Message) sdk.Message {
	t.Helper()
	out := sdk.Message{Payload: m.Payload}
	for _, h := range m.Headers {
		var v sdk.Value
		switch h.Type {
		case eventstream.TypeBoolTrue:
			v = sdk.BoolValue(true)
		case eventstream.TypeBoolFalse:
			v = sdk.BoolValue(false)
		case eventstream.TypeByte:
			v = sdk.Int8Value(h.Int)
		case eventstream.TypeInt16:
			v = sdk.Int16Value(h.Int)
		case eventstream.TypeInt32:
			v = sdk.Int32Value(h.Int)
		case eventstream.TypeInt64:
			v = sdk.Int64Value(h.Int)
		case eventstream.TypeBytes:
			v = sdk.BytesValue(h.Bytes)
		case eventstream.TypeString:
			v = sdk.StringValue(string(h.Bytes))
		case eventstream.TypeTimestamp:
			v = sdk.TimestampValue(time.UnixMilli(h.Int))
		case eventstream.TypeUUID:
			v = sdk.UUIDValue(h.Bytes)
		default:
			t.Fatalf("header %q: type %d", h.Name, h.Type)
		}
		out.Headers = append(out.Headers, sdk.Header{Name: h.Name, Value: v})
	}
	return out
}

func sdkMessages(t *testing.T) map[string]eventstream.Message {
	msgs := map[string]eventstream.Message{
		"subscribe_event": {Headers: []eventstream.Header{
			eventstream.StringHeader(":message-type", "event"),
			eventstream.StringHeader(":event-type", "SubscribeToShardEvent"),
			eventstream.StringHeader(":content-type", "application/json"),
		}, Payload: []byte(`{"Records":[],"ContinuationSequenceNumber":"49590338271490256608559692538361571095921575989136588898","MillisBehindLatest":0}`)},
		"exception": {Headers: []eventstream.Header{
			eventstream.StringHeader(":message-type", "exception"),
			eventstream.StringHeader(":exception-type", "ResourceInUseException"),
			eventstream.StringHeader(":content-type", "application/json"),
		}, Payload: []byte(`{"message":"taken over"}`)},
	}
	for _, tc := range knownMessages {
		msgs[tc.name] = tc.msg
	}
	return msgs
}

func TestSDKDecodesOurMessages(t *testing.T) {
	for name, m := range sdkMessages(t) {
		t.Run(name, func(t *testing.T) {
			enc := eventstream.AppendMessage(nil, m.Headers, m.Payload)
			got, err := sdk.NewDecoder().Decode(bytes.NewReader(enc), nil)
			if err != nil {
				t.Fatalf("SDK Decode(our %s): %v", name, err)
			}
			want := toSDK(t, m)
			if !bytes.Equal(got.Payload, want.Payload) || len(got.Headers) != len(want.Headers) {
				t.Fatalf("SDK Decode = %v %q, want %v %q", got.Headers, got.Payload, want.Headers, want.Payload)
			}
			for i := range want.Headers {
				if got.Headers[i].Name != want.Headers[i].Name || got.Headers[i].Value.String() != want.Headers[i].Value.String() {
					t.Errorf("SDK header %d = %s %s, want %s %s", i, got.Headers[i].Name, got.Headers[i].Value, want.Headers[i].Name, want.Headers[i].Value)
				}
			}
		})
	}
}

func TestWeDecodeSDKMessages(t *testing.T) {
	for name, m := range sdkMessages(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := sdk.NewEncoder().Encode(&buf, toSDK(t, m)); err != nil {
				t.Fatalf("SDK Encode: %v", err)
			}
			if ours := eventstream.AppendMessage(nil, m.Headers, m.Payload); !bytes.Equal(buf.Bytes(), ours) {
				t.Errorf("SDK Encode = %x\nAppendMessage %x", buf.Bytes(), ours)
			}
			got, err := eventstream.Decode(buf.Bytes(), nil)
			if err != nil {
				t.Fatalf("Decode(SDK's %s): %v", name, err)
			}
			if !sameMessage(got, m) {
				t.Errorf("Decode(SDK's %s) = %+v, want %+v", name, got, m)
			}
		})
	}
}
