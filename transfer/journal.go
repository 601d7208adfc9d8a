package transfer

// Resume journals (Config.Resume): small JSON files in the Manager's state
// directory, one per interrupted UploadFile or DownloadFile, named by a
// hash of what identifies the transfer. They are written atomically
// (temporary file, then rename), so a crash leaves the old journal or the
// new one, never half of one.

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

const journalVersion = 1

// journalPath returns the journal file of a transfer identified by parts.
func (m *Manager) journalPath(kind string, parts ...string) (string, error) {
	dir, err := m.stateDir()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return filepath.Join(dir, kind+"-"+hex.EncodeToString(h.Sum(nil)[:16])+".json"), nil
}

// readJournal decodes a journal; a missing one is (false, nil), and so is
// an unreadable one, which is then ignored (and later overwritten).
func readJournal(path string, v any) (bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("transfer: resume journal: %w", err)
	}
	if json.Unmarshal(b, v) != nil {
		return false, nil
	}
	return true, nil
}

// writeJournal replaces a journal atomically.
func writeJournal(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("transfer: resume journal: %w", err)
	}
	tmp := path + "." + randomSuffix() + ".tmp"
	if err := writeNew(tmp, b); err != nil {
		return fmt.Errorf("transfer: resume journal: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("transfer: resume journal: %w", err)
	}
	return nil
}

// writeNew writes b to a new file that only its owner may read; O_EXCL,
// as for the temporary files of downloads, never follows a link planted
// under the name. A file it created is removed if the write fails.
func writeNew(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}

// removeJournal deletes a finished transfer's journal.
func removeJournal(path string) {
	if path != "" {
		os.Remove(path)
	}
}

func randomSuffix() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// uploadJournal is the state of an interrupted UploadFile: enough to find
// its multipart upload again and to tell whether the file is still the
// one whose parts were sent.
type uploadJournal struct {
	Version  int    `json:"version"`
	Path     string `json:"path"`
	Bucket   string `json:"bucket"`
	Key      string `json:"key"`
	Size     int64  `json:"size"`
	ModTime  int64  `json:"mtime"` // Unix nanoseconds
	PartSize int64  `json:"part_size"`
	UploadID string `json:"upload_id"`
}

func (j *uploadJournal) matches(o *uploadJournal) bool {
	return j.Version == o.Version && j.Path == o.Path && j.Bucket == o.Bucket && j.Key == o.Key &&
		j.Size == o.Size && j.ModTime == o.ModTime && j.PartSize == o.PartSize && o.UploadID != ""
}

// downloadJournal is the state of an interrupted DownloadFile: the object
// it was reading (by ETag), its temporary file, and which ranges of
// ChunkSize bytes are in that file.
type downloadJournal struct {
	Version   int    `json:"version"`
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	VersionID string `json:"version_id,omitempty"`
	Target    string `json:"target"`
	ETag      string `json:"etag"`
	Size      int64  `json:"size"`
	ChunkSize int64  `json:"chunk_size"`
	Temp      string `json:"temp"`
	Done      []byte `json:"done"` // bitmap of finished ranges

	path     string
	mu       sync.Mutex
	lastSave time.Time
}

func (j *downloadJournal) sameObject(o *downloadJournal) bool {
	return j.Version == o.Version && j.Bucket == o.Bucket && j.Key == o.Key && j.VersionID == o.VersionID &&
		j.Target == o.Target && j.ETag == o.ETag && o.ETag != "" && j.Size == o.Size && j.ChunkSize == o.ChunkSize && o.Temp != ""
}

func (j *downloadJournal) isDone(i int) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return i/8 < len(j.Done) && j.Done[i/8]&(1<<(i%8)) != 0
}

// saveEvery bounds how often a download's journal is rewritten as ranges
// finish: a crash loses at most this much work, and a download of
// thousands of ranges does not rewrite its journal thousands of times.
const saveEvery = time.Second

// markDone records a finished range, saving the journal if it has not
// been saved for a while.
func (j *downloadJournal) markDone(i int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for len(j.Done) <= i/8 {
		j.Done = append(j.Done, 0)
	}
	j.Done[i/8] |= 1 << (i % 8)
	if time.Since(j.lastSave) >= saveEvery {
		j.saveLocked()
	}
}

// save writes the journal now.
func (j *downloadJournal) save() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.saveLocked()
}

func (j *downloadJournal) saveLocked() error {
	j.lastSave = time.Now()
	return writeJournal(j.path, j)
}
