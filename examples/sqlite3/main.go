// sqlite3 creates a database file with github.com/mattn/go-sqlite3, writes
// three rows, reads them back and prints them, then prints the SQLite
// version. It touches nothing but the database file (no temporary files, no
// /etc), so a static build runs inside an empty root. Any error exits 1.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"net"
	"os"
	"os/user"

	_ "github.com/mattn/go-sqlite3"
)

func main() {
	path := flag.String("db", "./demo.db", "database file (created if missing)")
	lookups := flag.Bool("lookups", false, "also look up the current user and localhost")
	flag.Parse()
	// net and os/user are what make most cgo programs depend on the C
	// library's NSS at run time; linking them in shows how gorelink deals
	// with that (netgo, osusergo).
	if *lookups {
		if u, err := user.Current(); err == nil {
			fmt.Println("user:", u.Username)
		} else {
			fmt.Println("user: unknown:", err)
		}
		if addrs, err := net.LookupHost("localhost"); err == nil && len(addrs) > 0 {
			fmt.Println("localhost resolves")
		} else {
			fmt.Println("localhost does not resolve:", err)
		}
	}
	if err := run(*path); err != nil {
		fmt.Fprintln(os.Stderr, "sqlite3:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	// Keep every temporary structure in memory: an empty root has no /tmp.
	// The rollback journal lives beside the database file.
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=DELETE")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	stmts := []string{
		"PRAGMA temp_store = MEMORY",
		"DROP TABLE IF EXISTS fruit",
		"CREATE TABLE fruit (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL)",
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}

	tx, err := db.Begin()
	if err != nil {
		return err
	}
	for i, r := range []struct {
		name string
		qty  int
	}{{"apple", 3}, {"banana", 5}, {"cherry", 7}} {
		if _, err := tx.Exec("INSERT INTO fruit (id, name, qty) VALUES (?, ?, ?)", i+1, r.name, r.qty); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}

	rows, err := db.Query("SELECT id, name, qty FROM fruit ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, qty int
		var name string
		if err := rows.Scan(&id, &name, &qty); err != nil {
			return err
		}
		fmt.Printf("row %d: %s %d\n", id, name, qty)
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n != 3 {
		return fmt.Errorf("read back %d rows, want 3", n)
	}

	var version string
	if err := db.QueryRow("SELECT sqlite_version()").Scan(&version); err != nil {
		return err
	}
	fmt.Println("sqlite_version:", version)
	return nil
}
