package stream

import "github.com/shardlog/shardlog/shard"

// ShardRetained is what one shard of a stream holds now (shard.Retained), by shard id.
type ShardRetained struct {
	ShardID string
	shard.Retained
	// Error is why the shard has no figures (zero then): its log is quarantined, or was
	// closed since the stream was looked up (deleted, or the store closing); "" otherwise.
	Error string
}

// Retained returns what each shard of the named stream holds now, open and closed shards in
// the order of their ids, as the web console's shard table shows it. Each shard costs a
// search of its segment list and at most one batch decoded (shard.Retained).
func (s *Store) Retained(name string) ([]ShardRetained, error) {
	_, v, err := s.current(name)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, streamNotFound(name, s.opts.Account)
	}
	out := make([]ShardRetained, 0, len(v.shards))
	for _, l := range v.shards {
		r, err := l.log.Retained()
		row := ShardRetained{ShardID: l.id, Retained: r}
		if err != nil {
			row = ShardRetained{ShardID: l.id, Error: err.Error()}
		}
		out = append(out, row)
	}
	return out, nil
}
