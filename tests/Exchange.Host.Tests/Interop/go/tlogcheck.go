// tlogcheck checks the hub's provision-log checkpoints and proofs with Go's own implementation
// (golang.org/x/mod/sumdb/note and sumdb/tlog, as Debian packages them), which nobody here wrote.
// It reads a JSON request on stdin and prints one line per check: "ok" or "fail: <why>".
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusion struct {
	Note      string   `json:"note"`
	Index     int64    `json:"index"`
	EntryHash string   `json:"entry_hash"`
	Proof     []string `json:"proof"`
}

type consistency struct {
	Older string   `json:"older"`
	Newer string   `json:"newer"`
	Proof []string `json:"proof"`
}

// cosigned asks whether Note, opened with the log key, carries a valid C2SP tlog-cosignature
// (cosignature/v1, alg 0x04) by the witness key Witness.
type cosigned struct {
	Witness string `json:"witness"`
	Note    string `json:"note"`
}

type request struct {
	Key          string        `json:"key"`
	Notes        []string      `json:"notes"`
	Inclusion    []inclusion   `json:"inclusion"`
	Consistency  []consistency `json:"consistency"`
	Cosignatures []cosigned    `json:"cosignatures"`
}

// checkCosignature verifies with crypto/ed25519 directly: sumdb/note knows no algorithm 0x04.
func checkCosignature(verifier note.Verifier, c cosigned) error {
	if _, _, err := open(verifier, c.Note); err != nil {
		return err
	}
	parts := strings.SplitN(c.Witness, "+", 3)
	if len(parts) != 3 {
		return errors.New("malformed witness key")
	}
	blob, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(blob) != 33 || blob[0] != 0x04 {
		return errors.New("witness key is not a cosignature/v1 key")
	}
	id := sha256.Sum256(append([]byte(parts[0]+"\n"), blob...))
	if hex.EncodeToString(id[:4]) != parts[1] {
		return errors.New("witness key ID does not match its name and key")
	}
	split := strings.LastIndex(c.Note, "\n\n")
	body := c.Note[:split+1]
	for _, line := range strings.Split(strings.TrimSuffix(c.Note[split+2:], "\n"), "\n") {
		prefix := "\u2014 " + parts[0] + " "
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(line[len(prefix):])
		if err != nil || len(sig) != 76 || !bytes.Equal(sig[:4], id[:4]) {
			continue
		}
		msg := fmt.Sprintf("cosignature/v1\ntime %d\n%s", binary.BigEndian.Uint64(sig[4:12]), body)
		if ed25519.Verify(ed25519.PublicKey(blob[1:]), []byte(msg), sig[12:]) {
			return nil
		}
		return errors.New("cosignature does not verify")
	}
	return fmt.Errorf("no cosignature by %s", parts[0])
}

// open verifies a signed checkpoint with the key and returns its size and root hash.
func open(verifier note.Verifier, text string) (int64, tlog.Hash, error) {
	n, err := note.Open([]byte(text), note.VerifierList(verifier))
	if err != nil {
		return 0, tlog.Hash{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint origin is not %q", verifier.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return 0, tlog.Hash{}, err
	}
	root, err := tlog.ParseHash(lines[2])
	return size, root, err
}

func hashes(list []string) ([]tlog.Hash, error) {
	var out []tlog.Hash
	for _, b := range list {
		h, err := tlog.ParseHash(b)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func report(err error) {
	if err != nil {
		fmt.Println("fail:", err)
	} else {
		fmt.Println("ok")
	}
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	verifier, err := note.NewVerifier(req.Key)
	if err != nil {
		fmt.Fprintln(os.Stderr, "verifier key:", err)
		os.Exit(2)
	}
	for _, text := range req.Notes {
		_, _, err := open(verifier, text)
		report(err)
	}
	for _, c := range req.Inclusion {
		report(func() error {
			size, root, err := open(verifier, c.Note)
			if err != nil {
				return err
			}
			data, err := hex.DecodeString(c.EntryHash)
			if err != nil {
				return err
			}
			proof, err := hashes(c.Proof)
			if err != nil {
				return err
			}
			return tlog.CheckRecord(proof, size, root, c.Index, tlog.RecordHash(data))
		}())
	}
	for _, c := range req.Consistency {
		report(func() error {
			n, older, err := open(verifier, c.Older)
			if err != nil {
				return err
			}
			t, newer, err := open(verifier, c.Newer)
			if err != nil {
				return err
			}
			proof, err := hashes(c.Proof)
			if err != nil {
				return err
			}
			return tlog.CheckTree(proof, t, newer, n, older)
		}())
	}
	for _, c := range req.Cosignatures {
		report(checkCosignature(verifier, c))
	}
}
