package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/shardlog/shardlog/segment"
	"github.com/shardlog/shardlog/server"
	"github.com/shardlog/shardlog/stream"
)

// declareFlags are the streams serve is told to hold from its start: --streams and the
// streams of --config.
type declareFlags struct {
	streams listFlag // NAME[:SHARDS[:MODE]]
	config  string   // a JSON or YAML file

	declared []stream.Declaration     // from both, by resolve
	codecs   map[string]segment.Codec // the compression of streams of --config that name one, by resolve
}

func (d *declareFlags) flags(fs *flag.FlagSet) {
	fs.Var(&d.streams, "streams", "streams to create at start if missing, as NAME[:SHARDS[:MODE]], e.g. orders:4,events:1:ON_DEMAND (repeatable or comma-separated)")
	fs.StringVar(&d.config, "config", "", "JSON or YAML file whose \"streams\" are created at start if missing (name, shards, mode, retentionHours, tags, consumers, compression)")
}

// configFile is the shape of a --config file.
type configFile struct {
	Streams []declaredStream `json:"streams"`
}

// declaredStream is one stream of a --config file.
type declaredStream struct {
	Name           string            `json:"name"`
	Shards         int               `json:"shards"`
	Mode           string            `json:"mode"`
	RetentionHours int               `json:"retentionHours"`
	Tags           map[string]string `json:"tags"`
	Consumers      []string          `json:"consumers"`
	Compression    string            `json:"compression"` // none, s2 or zstd; default --compression
}

// resolve reads --streams and --config into declared. A name declared twice is an error,
// even with the same settings, since one of the two would be ignored.
func (d *declareFlags) resolve() error {
	var all []stream.Declaration
	for _, s := range d.streams {
		decl, err := parseStreamSpec(s)
		if err != nil {
			return fmt.Errorf("--streams %q: %w", s, err)
		}
		all = append(all, decl)
	}
	if d.config != "" {
		decls, codecs, err := readConfig(d.config)
		if err != nil {
			return fmt.Errorf("--config %s: %w", d.config, err)
		}
		d.codecs = codecs
		all = append(all, decls...)
	}
	seen := map[string]bool{}
	for _, decl := range all {
		if seen[decl.Name] {
			return fmt.Errorf("stream %q is declared twice (--streams and --config)", decl.Name)
		}
		seen[decl.Name] = true
	}
	d.declared = all
	return nil
}

// parseStreamSpec parses NAME[:SHARDS[:MODE]]. SHARDS defaults to 1 for PROVISIONED, and
// to the on-demand default when MODE is ON_DEMAND and SHARDS is empty.
func parseStreamSpec(spec string) (stream.Declaration, error) {
	parts := strings.Split(spec, ":")
	if len(parts) > 3 || parts[0] == "" {
		return stream.Declaration{}, fmt.Errorf("want NAME[:SHARDS[:MODE]]")
	}
	d := stream.Declaration{Name: parts[0], ShardCount: 1}
	if len(parts) == 3 {
		mode, err := parseMode(parts[2])
		if err != nil {
			return d, err
		}
		d.Mode = mode
	}
	if len(parts) >= 2 {
		switch n, err := strconv.Atoi(parts[1]); {
		case parts[1] == "" && d.Mode == stream.ModeOnDemand:
			d.ShardCount = 0
		case err != nil || n < 1:
			return d, fmt.Errorf("shard count %q: want a whole number of at least 1", parts[1])
		default:
			d.ShardCount = n
		}
	}
	return d, nil
}

// parseMode reads a capacity mode, in any case.
func parseMode(s string) (stream.StreamMode, error) {
	switch m := stream.StreamMode(strings.ToUpper(s)); m {
	case stream.ModeProvisioned, stream.ModeOnDemand:
		return m, nil
	}
	return "", fmt.Errorf("mode %q: want PROVISIONED or ON_DEMAND", s)
}

// readConfig reads the streams of a config file: YAML when its name ends in .yaml or .yml,
// JSON otherwise. A YAML file is turned into JSON first, so that both are held to the same
// fields and checks.
func readConfig(path string) ([]stream.Declaration, map[string]segment.Codec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" {
		if b, err = yamlToJSON(b); err != nil {
			return nil, nil, err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var cfg configFile
	if err := dec.Decode(&cfg); err != nil {
		return nil, nil, err
	}
	out := make([]stream.Declaration, 0, len(cfg.Streams))
	codecs := map[string]segment.Codec{}
	for i, s := range cfg.Streams {
		d, err := s.declaration()
		if err != nil {
			return nil, nil, fmt.Errorf("streams[%d]: %w", i, err)
		}
		if s.Compression != "" {
			if codecs[s.Name], err = segment.ParseCodec(s.Compression); err != nil {
				return nil, nil, fmt.Errorf("streams[%d]: stream %s: compression: %w", i, s.Name, err)
			}
		}
		out = append(out, d)
	}
	return out, codecs, nil
}

// yamlToJSON re-encodes a YAML document as JSON.
func yamlToJSON(b []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// declaration checks a stream of a config file.
func (s declaredStream) declaration() (stream.Declaration, error) {
	if s.Name == "" {
		return stream.Declaration{}, fmt.Errorf("a stream without a name")
	}
	d := stream.Declaration{Name: s.Name, ShardCount: s.Shards, RetentionHours: s.RetentionHours, Tags: s.Tags, Consumers: s.Consumers}
	if s.Mode != "" {
		mode, err := parseMode(s.Mode)
		if err != nil {
			return d, fmt.Errorf("stream %s: %w", s.Name, err)
		}
		d.Mode = mode
	}
	if d.Mode != stream.ModeOnDemand && d.ShardCount == 0 {
		d.ShardCount = 1
	}
	return d, nil
}

// apply declares each stream in the store of the default account and region, and logs
// what it did: a stream created, or one already there that differs from its declaration
// (a warning: it is left as it is).
func (d *declareFlags) apply(store interface {
	Store(server.Scope) (*stream.Store, error)
}, log *slog.Logger) error {
	if len(d.declared) == 0 {
		return nil
	}
	st, err := store.Store(server.Scope{})
	if err != nil {
		return err
	}
	for _, decl := range d.declared {
		got, err := st.Declare(decl)
		if err != nil {
			return err
		}
		switch {
		case got.Created:
			log.Info("declared stream created", "stream", decl.Name)
		case len(got.Conflicts) == 0:
			log.Debug("declared stream already there", "stream", decl.Name)
		}
		for _, c := range got.Conflicts {
			log.Warn("declared stream differs from the one on disk, which is left as it is", "stream", decl.Name, "conflict", c)
		}
	}
	return nil
}
