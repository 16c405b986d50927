#!/usr/bin/env python3
"""A small LDAPv3 server that serves Active Directory ranged retrieval, for e2e tests.

Standard library only. It answers what daoctl's libldap client sends: simple
BindRequest, SearchRequest (with the RFC 2696 Simple Paged Results control),
UnbindRequest and AbandonRequest. Every other operation gets a response of the
right type with unwillingToPerform (an unknown ExtendedRequest: protocolError,
RFC 4511 4.12); a PDU that cannot be decoded ends the connection after a Notice
of Disconnection (RFC 4511 4.4.1), so a client never hangs waiting.

Like Active Directory (MaxValRange), an attribute with more than N values is
never returned whole: a normal search returns "<attr>;range=0-<N-1>" with the
first N values, and the client reads the rest with base searches that ask for
"<attr>;range=<low>-*" (or "<low>-<high>"). A chunk holds the values
[low, min(high, low+N-1, last)] and is named "<attr>;range=<low>-<end>", with
"*" as <end> when it holds the last value. A <low> past the last value gives
"<attr>;range=<low>-*" with no values.

Filters: and, or, not, present, equality (case-insensitive), substrings, >=, <=,
approx (as equality) and AD's bitwise matching rules (1.2.840.113556.1.4.803 and
.804); any other extensible match gets inappropriateMatching (18), an unknown
filter choice unwillingToPerform (53). Scopes base, one and sub; the requested
attributes, or all of them for none or "*" ("1.1": none).

Like AD, memberOf is a backlink: every entry named in a group's "member" gets
the group's DN in its memberOf (in the order the groups appear in the LDIF),
in addition to memberOf lines the LDIF may carry. A filter
(objectCategory=person) matches an objectCategory DN whose first RDN value is
"person", as AD does. Unpaged searches return at most --max-page-size entries
and then sizeLimitExceeded; page sizes above it are lowered to it (AD's
MaxPageSize).

Usage:
  server.py --ldif FILE --bind-dn DN --bind-password PW [--max-val-range N]
            [--max-page-size N] [--skip-values K] [--drop-next-range]

Prints "LISTENING <port>" on stdout once it accepts connections on 127.0.0.1
(a free port), then serves until SIGTERM or SIGINT. A simple bind must name
--bind-dn with --bind-password (anything else: invalidCredentials, 49), or be
anonymous, which like AD only lets the root DSE be read. On stderr, one line per
event; the lines a test counts are

  RANGED dn="<entry DN>" requested="<attr;range=...>" returned="<attr;range=...>" values=<n>

one for every requested attribute that carries a range option (the follow-up
requests of a client doing ranged retrieval). With a fault mode the line ends
in "fault=skip-values" or "fault=drop-next-range" (returned="-" when dropped).

Fault modes, for negative tests:
  --skip-values K     a ranged request for <low> > 0 is answered from <low>+K:
                      "<attr>;range=<low+K>-<end>" (values were skipped)
  --drop-next-range   a ranged request returns the entry without the attribute
"""

import argparse
import base64
import binascii
import secrets
import signal
import socketserver
import sys
import threading

# --- result codes (RFC 4511 4.1.9) ------------------------------------------
SUCCESS = 0
OPERATIONS_ERROR = 1
PROTOCOL_ERROR = 2
SIZE_LIMIT_EXCEEDED = 4
AUTH_METHOD_NOT_SUPPORTED = 7
UNAVAILABLE_CRITICAL_EXTENSION = 12
INAPPROPRIATE_MATCHING = 18
NO_SUCH_OBJECT = 32
INVALID_DN_SYNTAX = 34
INVALID_CREDENTIALS = 49
UNWILLING_TO_PERFORM = 53

PAGED_RESULTS_OID = b"1.2.840.113556.1.4.319"
NOTICE_OF_DISCONNECTION_OID = b"1.3.6.1.4.1.1466.20036"
AD_MATCHING_RULE_BIT_AND = b"1.2.840.113556.1.4.803"
AD_MATCHING_RULE_BIT_OR = b"1.2.840.113556.1.4.804"

MAX_PDU = 16 * 1024 * 1024  # a bigger request is treated as malformed


class BerError(Exception):
    """A PDU that cannot be decoded: the connection is closed."""


class LdapError(Exception):
    """An operation that fails with an LDAP result code."""

    def __init__(self, code, message, matched=b""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.matched = matched


# --- logging -----------------------------------------------------------------
_log_lock = threading.Lock()


def log(line):
    with _log_lock:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def text(b):
    return b.decode("utf-8", "backslashreplace")


# --- BER ---------------------------------------------------------------------
def ber_len(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, content):
    return bytes([tag]) + ber_len(len(content)) + content


def ber_int(value, tag=0x02):
    length = max(1, (value.bit_length() + 8) // 8)
    return tlv(tag, value.to_bytes(length, "big", signed=True))


def ber_enum(value):
    return ber_int(value, 0x0A)


def ber_str(value, tag=0x04):
    return tlv(tag, value)


def ber_seq(*parts, tag=0x30):
    return tlv(tag, b"".join(parts))


def read_tlv(data, pos, end):
    """One TLV at data[pos:end]: (tag, start of value, end of value)."""
    if pos >= end:
        raise BerError("truncated element")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise BerError("multi-byte tags are not used by LDAP")
    pos += 1
    if pos >= end:
        raise BerError("truncated length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise BerError("indefinite length is not allowed in LDAP")
    else:
        count = first & 0x7F
        if count > 4 or pos + count > end:
            raise BerError("bad length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > end:
        raise BerError("element longer than its container")
    return tag, pos, pos + length


class Reader:
    """Sequential reader over the elements of one constructed value."""

    def __init__(self, data, start=0, end=None):
        self.data = data
        self.pos = start
        self.end = len(data) if end is None else end

    def more(self):
        return self.pos < self.end

    def peek_tag(self):
        if self.pos >= self.end:
            raise BerError("truncated element")
        return self.data[self.pos]

    def element(self, expected=None):
        tag, start, stop = read_tlv(self.data, self.pos, self.end)
        if expected is not None and tag != expected:
            raise BerError(f"expected tag 0x{expected:02x}, got 0x{tag:02x}")
        self.pos = stop
        return tag, start, stop

    def raw(self, expected=None):
        _, start, stop = self.element(expected)
        return self.data[start:stop]

    def integer(self, expected=0x02):
        value = self.raw(expected)
        if not value or len(value) > 8:
            raise BerError("bad integer")
        return int.from_bytes(value, "big", signed=True)

    def boolean(self):
        value = self.raw(0x01)
        if len(value) != 1:
            raise BerError("bad boolean")
        return value != b"\x00"

    def sub(self, expected=None):
        _, start, stop = self.element(expected)
        return Reader(self.data, start, stop)


# --- DNs ---------------------------------------------------------------------
def split_unescaped(s, sep):
    parts, cur, i = [], [], 0
    quoted = False
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur.append(s[i:i + 2])
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        if c == sep and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def unescape_dn_value(v):
    out = bytearray()
    i = 0
    raw = v.encode("utf-8")
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):  # backslash
            pair = raw[i + 1:i + 3]
            try:
                if len(pair) == 2:
                    out.append(int(pair, 16))
                    i += 3
                    continue
            except ValueError:
                pass
            out.append(raw[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out).decode("utf-8", "replace")


def normalize_dn(dn):
    """A DN as a tuple of (type, value) pairs, lower-cased; () for the root DSE."""
    dn = dn.strip()
    if not dn:
        return ()
    rdns = []
    for rdn in split_unescaped(dn, ","):
        avas = []
        for ava in split_unescaped(rdn, "+"):
            if "=" not in ava:
                raise LdapError(INVALID_DN_SYNTAX, f"invalid DN: {dn}")
            attr, value = ava.split("=", 1)
            avas.append(attr.strip().lower() + "=" + unescape_dn_value(value.strip()).lower())
        rdns.append("+".join(sorted(avas)))
    return tuple(rdns)


def first_rdn_value(dn):
    parts = split_unescaped(dn, ",")
    if not parts or "=" not in parts[0]:
        return ""
    return unescape_dn_value(parts[0].split("=", 1)[1].strip())


# --- the directory -----------------------------------------------------------
class Entry:
    def __init__(self, dn):
        self.dn = dn
        self.ndn = normalize_dn(dn)
        self.attrs = {}  # lower name -> [name as written, [bytes values]]

    def add(self, name, value):
        slot = self.attrs.setdefault(name.lower(), [name, []])
        slot[1].append(value)

    def get(self, name):
        slot = self.attrs.get(name.lower())
        return slot[1] if slot else None


def load_ldif(path):
    with open(path, "rb") as f:
        raw_lines = f.read().split(b"\n")
    lines = []  # unfolded logical lines; b"" separates entries
    for raw in raw_lines:
        line = raw[:-1] if raw.endswith(b"\r") else raw
        if line.startswith(b" ") and lines and lines[-1] != b"":
            lines[-1] += line[1:]
        else:
            lines.append(line)
    entries, current = [], None
    for number, line in enumerate(lines + [b""], 1):
        if line.startswith(b"#"):
            continue
        if line.strip() == b"":
            if current is not None:
                entries.append(current)
                current = None
            continue
        if b":" not in line:
            raise SystemExit(f"{path}: line {number}: expected 'attr: value'")
        name, rest = line.split(b":", 1)
        name = name.decode("ascii").strip()
        if rest.startswith(b":"):
            try:
                value = base64.b64decode(rest[1:].strip(), validate=True)
            except binascii.Error:
                raise SystemExit(f"{path}: line {number}: bad base64")
        elif rest.startswith(b"<"):
            raise SystemExit(f"{path}: line {number}: URL values are not supported")
        else:
            value = rest[1:] if rest.startswith(b" ") else rest
        if current is None:
            if name.lower() == "version":
                continue
            if name.lower() != "dn":
                raise SystemExit(f"{path}: line {number}: an entry must start with dn:")
            current = Entry(value.decode("utf-8"))
            continue
        if name.lower() == "changetype":
            raise SystemExit(f"{path}: line {number}: change records are not supported")
        current.add(name, value)
    return entries


class Directory:
    def __init__(self, entries):
        self.entries = entries
        self.by_ndn = {}
        for e in entries:
            if e.ndn in self.by_ndn:
                raise SystemExit(f"duplicate entry: {e.dn}")
            self.by_ndn[e.ndn] = e
        # memberOf is AD's backlink of member.
        for group in entries:
            for member in group.get("member") or []:
                try:
                    target = self.by_ndn.get(normalize_dn(member.decode("utf-8")))
                except (LdapError, UnicodeDecodeError):
                    continue
                if target is None:
                    continue
                have = {v.lower() for v in (target.get("memberOf") or [])}
                if group.dn.encode("utf-8").lower() not in have:
                    target.add("memberOf", group.dn.encode("utf-8"))
        self.naming_contexts = [e.dn for e in entries if e.ndn[1:] not in self.by_ndn]

    def root_dse(self):
        e = Entry("")
        for nc in self.naming_contexts:
            e.add("namingContexts", nc.encode("utf-8"))
        if self.naming_contexts:
            e.add("defaultNamingContext", self.naming_contexts[0].encode("utf-8"))
        e.add("supportedLDAPVersion", b"3")
        e.add("supportedControl", PAGED_RESULTS_OID)
        e.add("vendorName", b"daoctl tests/tools/ranged_ldap")
        return e

    def matched_dn(self, ndn):
        for i in range(1, len(ndn)):
            hit = self.by_ndn.get(ndn[i:])
            if hit is not None:
                return hit.dn.encode("utf-8")
        return b""


# --- filters -----------------------------------------------------------------
def decode_filter(r):
    """Reads one Filter; returns a tree of tuples."""
    tag, start, stop = r.element()
    inner = Reader(r.data, start, stop)
    if tag in (0xA0, 0xA1):  # and, or
        parts = []
        while inner.more():
            parts.append(decode_filter(inner))
        return ("and" if tag == 0xA0 else "or", parts)
    if tag == 0xA2:  # not
        f = decode_filter(inner)
        if inner.more():
            raise BerError("trailing data in not filter")
        return ("not", f)
    if tag in (0xA3, 0xA5, 0xA6, 0xA8):  # equality, >=, <=, approx
        attr = text(inner.raw(0x04))
        value = inner.raw(0x04)
        kind = {0xA3: "eq", 0xA5: "ge", 0xA6: "le", 0xA8: "eq"}[tag]
        return (kind, attr, value)
    if tag == 0xA4:  # substrings
        attr = text(inner.raw(0x04))
        subs = inner.sub(0x30)
        initial, anys, final = None, [], None
        while subs.more():
            stag, s0, s1 = subs.element()
            piece = subs.data[s0:s1]
            if stag == 0x80:
                initial = piece
            elif stag == 0x81:
                anys.append(piece)
            elif stag == 0x82:
                final = piece
            else:
                raise BerError("bad substring choice")
        return ("sub", attr, initial, anys, final)
    if tag == 0x87:  # present
        return ("present", text(r.data[start:stop]))
    if tag == 0xA9:  # extensibleMatch
        rule = attr = value = None
        dn_attrs = False
        while inner.more():
            etag, e0, e1 = inner.element()
            piece = inner.data[e0:e1]
            if etag == 0x81:
                rule = piece
            elif etag == 0x82:
                attr = text(piece)
            elif etag == 0x83:
                value = piece
            elif etag == 0x84:
                dn_attrs = piece != b"\x00"
        if rule not in (AD_MATCHING_RULE_BIT_AND, AD_MATCHING_RULE_BIT_OR) or attr is None or dn_attrs:
            raise LdapError(INAPPROPRIATE_MATCHING,
                            f"extensible match {text(rule or b'')!r} is not supported by this test server")
        try:
            bits = int(value)
        except (TypeError, ValueError):
            raise LdapError(INAPPROPRIATE_MATCHING, "bitwise matching needs an integer value")
        return ("bits", attr, bits, rule == AD_MATCHING_RULE_BIT_AND)
    raise LdapError(UNWILLING_TO_PERFORM, f"filter choice 0x{tag:02x} is not supported by this test server")


def as_number(b):
    try:
        return int(b)
    except ValueError:
        return None


def value_equals(entry_attr, stored, asserted):
    if entry_attr.lower() == "objectcategory" and b"=" not in asserted:
        return first_rdn_value(text(stored)).lower().encode("utf-8") == asserted.lower()
    return stored.lower() == asserted.lower()


def matches(f, e):
    kind = f[0]
    if kind == "and":
        return all(matches(p, e) for p in f[1])
    if kind == "or":
        return any(matches(p, e) for p in f[1])
    if kind == "not":
        return not matches(f[1], e)
    if kind == "present":
        return f[1].lower() == "objectclass" or bool(e.get(f[1]))
    values = e.get(f[1]) or []
    if kind == "eq":
        return any(value_equals(f[1], v, f[2]) for v in values)
    if kind in ("ge", "le"):
        a = as_number(f[2])
        for v in values:
            n = as_number(v)
            left, right = (n, a) if n is not None and a is not None else (v.lower(), f[2].lower())
            if (kind == "ge" and left >= right) or (kind == "le" and left <= right):
                return True
        return False
    if kind == "sub":
        _, _, initial, anys, final = f
        for v in values:
            s = v.lower()
            pos = 0
            if initial is not None:
                if not s.startswith(initial.lower()):
                    continue
                pos = len(initial)
            ok = True
            for a in anys:
                at = s.find(a.lower(), pos)
                if at < 0:
                    ok = False
                    break
                pos = at + len(a)
            if ok and final is not None:
                ok = len(s) - pos >= len(final) and s.endswith(final.lower())
            if ok:
                return True
        return False
    if kind == "bits":
        _, _, bits, want_all = f
        for v in values:
            n = as_number(v)
            if n is None:
                continue
            if (want_all and n & bits == bits) or (not want_all and n & bits):
                return True
        return False
    raise LdapError(UNWILLING_TO_PERFORM, "unsupported filter")


# --- attribute selection and ranged retrieval --------------------------------
def parse_description(desc):
    """'member;range=1500-*' -> ('member', (1500, None)); no range -> (name, None)."""
    parts = desc.split(";")
    name, rng = parts[0], None
    for opt in parts[1:]:
        if opt.lower().startswith("range="):
            low, sep, high = opt[6:].partition("-")
            if not sep or not low.isdigit() or not (high == "*" or high.isdigit()):
                raise LdapError(PROTOCOL_ERROR, f"bad range option in {desc!r}")
            low = int(low)
            high = None if high == "*" else int(high)
            if high is not None and high < low:
                raise LdapError(PROTOCOL_ERROR, f"bad range option in {desc!r}")
            rng = (low, high)
    return name, rng


class Options:
    def __init__(self, args):
        self.max_val_range = args.max_val_range
        self.max_page_size = args.max_page_size
        self.skip_values = args.skip_values
        self.drop_next_range = args.drop_next_range
        self.first_chunk_from = args.first_chunk_from


def chunk(name, values, low, high, n):
    """AD's answer for values [low, min(high, low+n-1, last)]."""
    last = len(values) - 1
    end = low + n - 1
    if high is not None:
        end = min(end, high)
    if end >= last:
        return f"{name};range={low}-*", values[low:]
    return f"{name};range={low}-{end}", values[low:end + 1]


def select_attributes(entry, requested, opts, stats):
    """The PartialAttributes to return for `entry`, as (description, values)."""
    n = opts.max_val_range
    wanted_all = not requested or "*" in requested
    names = []  # lower names of plain (non-ranged) requests
    ranged = []  # (requested description, name, low, high)
    for desc in requested:
        if desc in ("*", "+", "1.1"):
            continue
        name, rng = parse_description(desc)
        if rng is None:
            names.append(name.lower())
        else:
            ranged.append((desc, name, rng[0], rng[1]))
    out = []
    for lname, (shown, values) in entry.attrs.items():
        if not (wanted_all or lname in names):
            continue
        if any(r[1].lower() == lname for r in ranged):
            continue  # the ranged request answers for it
        if len(values) > n:
            first = opts.first_chunk_from  # 0 unless the fault is on
            out.append((f"{shown};range={first}-{first + n - 1}", values[first:first + n]))
        else:
            out.append((shown, values))
    for desc, name, low, high in ranged:
        slot = entry.attrs.get(name.lower())
        with stats["lock"]:
            stats["ranged"] += 1
        if slot is None:
            log(f'RANGED dn="{entry.dn}" requested="{desc}" returned="-" values=0 (no such attribute)')
            continue
        shown, values = slot
        if opts.drop_next_range:
            log(f'RANGED dn="{entry.dn}" requested="{desc}" returned="-" values=0 fault=drop-next-range')
            continue
        fault = ""
        if opts.skip_values and low > 0:
            low += opts.skip_values
            fault = " fault=skip-values"
        returned, chunk_values = chunk(shown, values, low, high, n)
        log(f'RANGED dn="{entry.dn}" requested="{desc}" returned="{returned}" '
            f"values={len(chunk_values)}{fault}")
        out.append((returned, chunk_values))
    return out


def encode_entry(message_id, entry, attributes):
    attrs = b"".join(
        ber_seq(ber_str(desc.encode("utf-8")), ber_seq(*(ber_str(v) for v in values), tag=0x31))
        for desc, values in attributes)
    op = ber_seq(ber_str(entry.dn.encode("utf-8")), ber_seq(attrs), tag=0x64)
    return ber_seq(ber_int(message_id), op)


def ldap_result(message_id, op_tag, code, message=b"", matched=b"", controls=None, extra=b""):
    body = ber_enum(code) + ber_str(matched) + ber_str(message) + extra
    pdu = ber_int(message_id) + tlv(op_tag, body)
    if controls:
        pdu += ber_seq(*controls, tag=0xA0)
    return ber_seq(pdu)


# --- connections -------------------------------------------------------------
RESPONSE_TAG = {  # request -> response for operations this server refuses
    0x66: 0x67,  # modify
    0x68: 0x69,  # add
    0x4A: 0x6B,  # delete
    0x6C: 0x6D,  # modify DN
    0x6E: 0x6F,  # compare
}


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.bound = False
        self.paged = {}  # cookie -> remaining entries of a paged search
        self.buffer = bytearray()
        self.peer = "%s:%d" % self.client_address[:2]

    def send(self, data):
        self.request.sendall(data)

    def read_pdu(self):
        """The next LDAPMessage as bytes; None at EOF. Raises BerError."""
        while True:
            if len(self.buffer) >= 2:
                if self.buffer[0] != 0x30:
                    raise BerError("an LDAPMessage must be a SEQUENCE")
                first = self.buffer[1]
                header = 2 + (first & 0x7F if first & 0x80 else 0)
                if first == 0x80 or (first & 0x80 and first & 0x7F > 4):
                    raise BerError("bad LDAPMessage length")
                if len(self.buffer) >= header:
                    length = first if first < 0x80 else int.from_bytes(self.buffer[2:header], "big")
                    if length > MAX_PDU:
                        raise BerError("LDAPMessage too large")
                    if len(self.buffer) >= header + length:
                        pdu = bytes(self.buffer[:header + length])
                        del self.buffer[:header + length]
                        return pdu
            data = self.request.recv(65536)
            if not data:
                if self.buffer:
                    raise BerError("connection closed mid-message")
                return None
            self.buffer += data

    def handle(self):
        server = self.server
        try:
            while True:
                pdu = self.read_pdu()
                if pdu is None:
                    return
                if not self.dispatch(pdu):
                    return
        except BerError as e:
            log(f"CLOSE {self.peer}: malformed PDU: {e}")
            notice = ber_str(NOTICE_OF_DISCONNECTION_OID, tag=0x8A)
            try:
                self.send(ldap_result(0, 0x78, PROTOCOL_ERROR, str(e).encode(), extra=notice))
            except OSError:
                pass
        except OSError as e:
            log(f"CLOSE {self.peer}: {e}")
        except Exception as e:  # never leave a client waiting on a server bug
            log(f"CLOSE {self.peer}: internal error {type(e).__name__}: {e}")
            server.internal_errors += 1

    def dispatch(self, pdu):
        outer = Reader(pdu).sub(0x30)
        message_id = outer.integer()
        if message_id < 0:
            raise BerError("negative messageID")
        tag, start, stop = outer.element()
        op = Reader(pdu, start, stop)
        controls = []
        if outer.more():
            creader = outer.sub(0xA0)
            while creader.more():
                c = creader.sub(0x30)
                oid = c.raw(0x04)
                critical = False
                value = None
                if c.more() and c.peek_tag() == 0x01:
                    critical = c.boolean()
                if c.more():
                    value = c.raw(0x04)
                controls.append((oid, critical, value))
        if tag == 0x60:
            self.bind(message_id, op)
        elif tag == 0x42:  # unbind
            return False
        elif tag == 0x63:
            self.search(message_id, op, controls)
        elif tag == 0x50:  # abandon: every operation is already answered
            pass
        elif tag in RESPONSE_TAG:
            self.send(ldap_result(message_id, RESPONSE_TAG[tag], UNWILLING_TO_PERFORM,
                                  b"this test server is read-only"))
        elif tag == 0x77:
            self.send(ldap_result(message_id, 0x78, PROTOCOL_ERROR,
                                  b"extended operations are not supported"))
        else:
            raise BerError(f"unknown protocolOp 0x{tag:02x}")
        return True

    def bind(self, message_id, op):
        version = op.integer()
        name = op.raw(0x04)
        atag, a0, a1 = op.element()
        cred = op.data[a0:a1]
        self.bound = False
        if version != 3:
            self.send(ldap_result(message_id, 0x61, PROTOCOL_ERROR, b"only LDAPv3 is supported"))
            return
        if atag != 0x80:
            self.send(ldap_result(message_id, 0x61, AUTH_METHOD_NOT_SUPPORTED,
                                  b"only simple binds are supported"))
            return
        try:
            same_dn = normalize_dn(text(name)) == self.server.bind_ndn
        except LdapError:
            same_dn = False
        if name and same_dn and cred == self.server.bind_password:
            self.bound = True
            log(f'BIND {self.peer} dn="{text(name)}" ok')
            self.send(ldap_result(message_id, 0x61, SUCCESS))
        elif not name and not cred:  # anonymous, as AD allows: only the root DSE is readable
            log(f"BIND {self.peer} anonymous")
            self.send(ldap_result(message_id, 0x61, SUCCESS))
        else:
            log(f'BIND {self.peer} dn="{text(name)}" refused')
            self.send(ldap_result(message_id, 0x61, INVALID_CREDENTIALS,
                                  b"80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext "
                                  b"error, data 52e, v4563"))

    def search(self, message_id, op, controls):
        base = text(op.raw(0x04))
        scope = op.integer(0x0A)
        op.integer(0x0A)  # derefAliases
        size_limit = op.integer()
        op.integer()  # timeLimit
        op.boolean()  # typesOnly
        try:
            filt = decode_filter(op)
        except LdapError as e:
            self.send(ldap_result(message_id, 0x65, e.code, e.message.encode()))
            return
        attrs_reader = op.sub(0x30)
        requested = []
        while attrs_reader.more():
            requested.append(text(attrs_reader.raw(0x04)))
        if scope not in (0, 1, 2):
            raise BerError("bad scope")
        try:
            self.run_search(message_id, base, scope, size_limit, filt, requested, controls)
        except LdapError as e:
            self.send(ldap_result(message_id, 0x65, e.code, e.message.encode(), e.matched))

    def run_search(self, message_id, base, scope, size_limit, filt, requested, controls):
        d = self.server.directory
        opts = self.server.opts
        paged = None
        for oid, critical, value in controls:
            if oid == PAGED_RESULTS_OID:
                if value is None:
                    raise LdapError(PROTOCOL_ERROR, "paged results control without a value")
                try:
                    pr = Reader(value).sub(0x30)
                    page_size = pr.integer()
                    cookie = pr.raw(0x04)
                except BerError as e:
                    raise LdapError(PROTOCOL_ERROR, f"bad paged results control: {e}")
                paged = (page_size, cookie)
            elif critical:
                raise LdapError(UNAVAILABLE_CRITICAL_EXTENSION,
                                f"critical control {text(oid)} is not supported")
        for desc in requested:  # validate range options before anything is sent
            parse_description(desc)
        base_ndn = normalize_dn(base)
        stats = self.server.stats

        if not base_ndn and scope == 0:  # the root DSE, readable before a bind
            e = d.root_dse()
            self.send(encode_entry(message_id, e, select_attributes(e, requested, opts, stats)))
            self.send(ldap_result(message_id, 0x65, SUCCESS))
            return
        if not self.bound:
            raise LdapError(OPERATIONS_ERROR,
                            "000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this "
                            "operation a successful bind must be completed on the connection., data 0, v4563")
        if base_ndn not in d.by_ndn:
            raise LdapError(NO_SUCH_OBJECT, f"no such object: {base}", d.matched_dn(base_ndn))

        response_controls = None
        if paged is not None:
            page_size, cookie = paged
            if cookie:
                remaining = self.paged.pop(cookie, None)
                if remaining is None:
                    raise LdapError(UNWILLING_TO_PERFORM, "unknown paged results cookie")
            else:
                remaining = self.matching(base_ndn, scope, filt)
            if page_size <= 0:  # the client abandons the paged search
                remaining = []
            page_size = min(page_size, opts.max_page_size)
            batch, rest = remaining[:page_size], remaining[page_size:]
            next_cookie = b""
            if rest:
                next_cookie = secrets.token_bytes(8)
                self.paged[next_cookie] = rest
            control_value = ber_seq(ber_int(0), ber_str(next_cookie))
            response_controls = [ber_seq(ber_str(PAGED_RESULTS_OID), ber_str(control_value))]
            code, message = SUCCESS, b""
        else:
            found = self.matching(base_ndn, scope, filt)
            limit = opts.max_page_size
            if 0 < size_limit < limit:
                limit = size_limit
            batch = found[:limit]
            code, message = SUCCESS, b""
            if len(found) > limit:
                code, message = SIZE_LIMIT_EXCEEDED, b"size limit exceeded"
        out = bytearray()
        for e in batch:
            out += encode_entry(message_id, e, select_attributes(e, requested, opts, stats))
            if len(out) > 1 << 20:
                self.send(bytes(out))
                out.clear()
        out += ldap_result(message_id, 0x65, code, message, controls=response_controls)
        self.send(bytes(out))
        log(f'SEARCH {self.peer} base="{base}" scope={scope} attrs={",".join(requested) or "*"} '
            f"entries={len(batch)}{' paged' if paged else ''} result={code}")

    def matching(self, base_ndn, scope, filt):
        d = self.server.directory
        if scope == 0:
            candidates = [d.by_ndn[base_ndn]]
        else:
            depth = len(base_ndn)
            candidates = [e for e in d.entries
                          if e.ndn[len(e.ndn) - depth:] == base_ndn
                          and (len(e.ndn) == depth + 1 if scope == 1 else True)]
        return [e for e in candidates if matches(filt, e)]


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser(description="LDAPv3 test server with AD ranged retrieval")
    p.add_argument("--ldif", required=True, help="the directory's entries")
    p.add_argument("--bind-dn", required=True)
    p.add_argument("--bind-password", required=True)
    p.add_argument("--max-val-range", type=int, default=1500,
                   help="AD MaxValRange: values per chunk of a multi-valued attribute (default 1500)")
    p.add_argument("--max-page-size", type=int, default=1000,
                   help="AD MaxPageSize: entries per page, and per unpaged search (default 1000)")
    p.add_argument("--skip-values", type=int, default=0, metavar="K",
                   help="fault: answer a ranged request for LOW > 0 from LOW+K")
    p.add_argument("--drop-next-range", action="store_true",
                   help="fault: answer a ranged request without the attribute")
    p.add_argument("--first-chunk-from", type=int, default=0, metavar="K",
                   help="fault: the unasked first chunk starts at value K, not 0 (values 0..K-1 are lost)")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    if args.max_val_range < 1 or args.max_page_size < 1 or args.skip_values < 0 or args.first_chunk_from < 0:
        p.error("--max-val-range and --max-page-size must be positive, --skip-values not negative")

    directory = Directory(load_ldif(args.ldif))
    server = Server(("127.0.0.1", args.port), Handler)
    server.directory = directory
    server.opts = Options(args)
    server.bind_ndn = normalize_dn(args.bind_dn)
    server.bind_password = args.bind_password.encode("utf-8")
    server.stats = {"lock": threading.Lock(), "ranged": 0}
    server.internal_errors = 0

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log(f"READY entries={len(directory.entries)} max-val-range={args.max_val_range} "
        f"skip-values={args.skip_values} drop-next-range={args.drop_next_range}")
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        log(f"EXIT ranged_requests={server.stats['ranged']} internal_errors={server.internal_errors}")
        server.server_close()


if __name__ == "__main__":
    main()
