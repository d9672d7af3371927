package naming

import (
	"testing"
)

func addSubdomain(t *testing.T, name, parent string, sub, par key) Line {
	l := Line{Name: name, Dest: sub.b64}
	l = withProp(l, KeyAction, ActionAddSubdomain)
	l = withProp(l, KeyOldName, parent)
	l = withProp(l, KeyOldDest, par.b64)
	return signLine(t, signInner(t, l, par), sub)
}

func TestCommands(t *testing.T) {
	parent, sub, other := newKey(t, 1), newKey(t, 2), newKey(t, 3)
	plainSigned := signLine(t, Line{Name: "signed.i2p", Dest: sub.b64}, sub)
	unsigned := withProp(Line{Name: "unsigned.i2p", Dest: sub.b64}, "date", "1")
	badSig := withProp(Line{Name: "badsig.i2p", Dest: sub.b64}, KeySig, plainSigned.Props[0].Value)

	goodSub := addSubdomain(t, "www.parent.i2p", "parent.i2p", sub, parent)
	wrongParentKey := addSubdomain(t, "forged.parent.i2p", "parent.i2p", sub, other)
	notSubdomain := addSubdomain(t, "elsewhere.i2p", "parent.i2p", sub, parent)
	orphanSub := addSubdomain(t, "www.unknown.i2p", "unknown.i2p", sub, parent)

	addName := signLine(t, withProp(withProp(Line{Name: "alias.i2p", Dest: parent.b64}, KeyAction, ActionAddName), KeyOldName, "parent.i2p"), parent)
	addNameMismatch := signLine(t, withProp(withProp(Line{Name: "alias2.i2p", Dest: other.b64}, KeyAction, ActionAddName), KeyOldName, "parent.i2p"), other)

	changeDest := Line{Name: "parent.i2p", Dest: other.b64}
	changeDest = withProp(withProp(changeDest, KeyAction, ActionChangeDest), KeyOldDest, parent.b64)
	changeDest = signLine(t, signInner(t, changeDest, parent), other)

	unknownAction := signLine(t, withProp(Line{Name: "what.i2p", Dest: sub.b64}, KeyAction, "frobnicate"), sub)
	removeWithName := signLine(t, withProp(Line{Name: "signed.i2p", Dest: sub.b64}, KeyAction, ActionRemove), sub)

	b, _, _ := newBook(t)
	mustImport(t, b, hostsText("parent.i2p="+parent.b64), "sub")
	st := mustImport(t, b, hostsText(
		plainSigned.String(),    // added
		unsigned.String(),       // invalid: props without sig
		badSig.String(),         // invalid: sig of another line
		goodSub.String(),        // added
		wrongParentKey.String(), // invalid: inner sig by a key that is not the parent's
		notSubdomain.String(),   // invalid
		orphanSub.String(),      // added: the parent is unknown, the signatures check out
		addName.String(),        // added
		addNameMismatch.String(),
		changeDest.String(), // known: never replaces
		unknownAction.String(),
		removeWithName.String(),
	), "sub")
	want := Stats{Lines: 12, Added: 4, Known: 1, Invalid: 7}
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	for name, k := range map[string]key{
		"signed.i2p": sub, "www.parent.i2p": sub, "www.unknown.i2p": sub, "alias.i2p": parent, "parent.i2p": parent,
	} {
		if d, err := b.Lookup(name); err != nil || d.Hash() != k.dest.Hash() {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"unsigned.i2p", "badsig.i2p", "forged.parent.i2p", "elsewhere.i2p", "alias2.i2p", "what.i2p"} {
		if b.Has(name) {
			t.Errorf("%s was added", name)
		}
	}

	// changedest for a name we do not know adds it.
	b2, _, _ := newBook(t)
	if st := mustImport(t, b2, hostsText(changeDest.String()), "sub"); st.Added != 1 {
		t.Errorf("changedest of an unknown name: %+v", st)
	}
}

func TestRemoveCommands(t *testing.T) {
	k, other := newKey(t, 1), newKey(t, 2)
	b, _, _ := newBook(t)
	mustImport(t, b, hostsText("a.i2p="+k.b64, "b.i2p="+k.b64, "c.i2p="+k.b64, "o.i2p="+other.b64), "sub")
	if err := b.AddLocal("mine.i2p", k.dest); err != nil {
		t.Fatal(err)
	}
	remove := func(name string, dest, signer key) string {
		l := Line{Props: []Prop{{KeyAction, ActionRemove}, {KeyDest, dest.b64}, {KeyName, name}}}
		return signLine(t, l, signer).String()
	}
	removeAll := func(dest, signer key) string {
		l := Line{Props: []Prop{{KeyAction, ActionRemoveAll}, {KeyDest, dest.b64}, {KeyName, "a.i2p"}}}
		return signLine(t, l, signer).String()
	}
	st := mustImport(t, b, hostsText(
		remove("a.i2p", k, k),        // removed
		remove("o.i2p", k, k),        // o.i2p has another destination: nothing
		remove("b.i2p", k, other),    // signed by the wrong key: invalid
		remove("mine.i2p", k, k),     // local: kept
		"#!action=remove#name=c.i2p", // unsigned: invalid
	), "sub")
	if want := (Stats{Lines: 5, Removed: 1, Invalid: 2}); st != want {
		t.Errorf("remove stats %+v, want %+v", st, want)
	}
	if b.Has("a.i2p") || !b.Has("b.i2p") || !b.Has("o.i2p") || !b.Has("mine.i2p") {
		t.Error("remove applied wrongly")
	}
	st = mustImport(t, b, hostsText(removeAll(k, k)), "sub")
	if want := (Stats{Lines: 1, Removed: 2}); st != want {
		t.Errorf("removeall stats %+v, want %+v", st, want)
	}
	if b.Has("b.i2p") || b.Has("c.i2p") || !b.Has("mine.i2p") || !b.Has("o.i2p") {
		t.Error("removeall applied wrongly")
	}
	if c := b.Counts(); c != (Counts{Names: 2, Local: 1}) {
		t.Errorf("counts %+v", c)
	}
	if name, ok := b.ReverseLookup(k.dest.Hash()); !ok || name != "mine.i2p" {
		t.Errorf("reverse after removeall %q %v", name, ok)
	}
}
