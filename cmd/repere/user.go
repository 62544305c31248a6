package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"repere/internal/audit"
	"repere/internal/auth"
	"repere/internal/store"
)

func user(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: missing subcommand (add, passwd, list)")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	login := fs.String("login", "", "account login")
	name := fs.String("name", "", "display name (add)")
	email := fs.String("email", "", "email address (add)")
	role := fs.String("role", "", "role: admin, secretary, radiographer, radiologist, referrer, patient (add)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating one")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	st, closeStore, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer closeStore()
	actor := audit.System("cli")
	switch sub {
	case "list":
		return listUsers(ctx, st, stdout)
	case "add":
		r, err := auth.ParseRole(*role)
		if err != nil {
			return err
		}
		if *login == "" || *name == "" {
			return errors.New("user add: --login and --name are required")
		}
		password, generated, err := choosePassword(*fromStdin, stdin, *login)
		if err != nil {
			return err
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		id, err := st.CreateUser(ctx, auth.User{Login: *login, DisplayName: *name, Email: *email, Role: r, PasswordHash: hash, MustChangePassword: generated})
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		if err := st.RecordEvent(ctx, actor, "create", "user", fmt.Sprint(id), "role="+string(r)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s (%s)\n", store.NormalizeLogin(*login), r)
		if generated {
			fmt.Fprintf(stdout, "one-time password (to change at first sign-in): %s\n", password)
		}
		return nil
	case "passwd":
		u, err := st.UserByLogin(ctx, *login)
		if err != nil {
			return fmt.Errorf("user passwd: %s: %w", *login, err)
		}
		password, generated, err := choosePassword(*fromStdin, stdin, u.Login)
		if err != nil {
			return err
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		if err := st.SetPassword(ctx, u.ID, hash, generated); err != nil {
			return err
		}
		if err := st.RecordEvent(ctx, actor, "password_reset", "user", fmt.Sprint(u.ID), ""); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of %s changed; their sessions are closed\n", u.Login)
		if generated {
			fmt.Fprintf(stdout, "one-time password (to change at first sign-in): %s\n", password)
		}
		return nil
	}
	return fmt.Errorf("user: unknown subcommand %q (add, passwd, list)", sub)
}

// choosePassword reads a password from stdin, or generates a one-time one.
func choosePassword(fromStdin bool, stdin io.Reader, login string) (password string, generated bool, err error) {
	if !fromStdin {
		return auth.GeneratePassword(), true, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	password = strings.TrimRight(line, "\r\n")
	if key := auth.CheckNewPassword(password, login); key != "" {
		return "", false, fmt.Errorf("password refused: at least %d characters, different from the login", auth.MinPasswordLength)
	}
	return password, false, nil
}

func listUsers(ctx context.Context, st *store.Store, stdout io.Writer) error {
	users, err := st.ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tNAME\tROLE\tACTIVE\tMUST CHANGE PASSWORD")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%v\n", u.Login, u.DisplayName, u.Role, u.Active, u.MustChangePassword)
	}
	return tw.Flush()
}
