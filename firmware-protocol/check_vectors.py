#!/usr/bin/env python3
"""Independent reference codec for the massage-control wire protocol, version 2.

Written from PROTOCOL.md alone (no Swift code consulted), so that agreement with
the vectors in vectors/*.json shows that the spec can be implemented as written.

    python3 check_vectors.py              # check every vectors/*.json
    python3 check_vectors.py --self-test  # built-in checks, no vectors needed

Layout of this file, in spec order:
    CRC-32C (2.2) -> COBS (2.3) -> raw frame (2.1) -> message layouts (4)
    -> streaming receiver (2.4) -> vector runner (8) -> self-test.

Standard library only; tested with Python 3.11.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple


# ---------------------------------------------------------------------------
# 2.2 CRC-32C (Castagnoli)
# ---------------------------------------------------------------------------

CRC32C_POLY_REFLECTED = 0x82F63B78  # 0x1EDC6F41 bit-reversed: refin/refout
CRC32C_INIT = 0xFFFFFFFF
CRC32C_XOROUT = 0xFFFFFFFF
CRC32C_CHECK = 0xE3069283  # CRC-32C("123456789")

# What the one-pass check of 2.2 sees after a frame *and* its little-endian CRC
# (the register value is the "residue" CRC catalogues list for CRC-32/ISCSI).
CRC32C_RESIDUE_REGISTER = 0xB798B438   # register, before the final XOR
CRC32C_RESIDUE_FINAL = 0x48674BC7      # crc32c(frame ++ crc), after the XOR


def crc32c_update(register: int, data: bytes) -> int:
    """Feed `data` into a CRC-32C register (no final XOR). Bitwise on purpose:
    it is the shortest correct form; a firmware would use a table."""
    for byte in data:
        register ^= byte
        for _ in range(8):
            register = (register >> 1) ^ (CRC32C_POLY_REFLECTED if register & 1 else 0)
    return register


def crc32c(data: bytes) -> int:
    return crc32c_update(CRC32C_INIT, data) ^ CRC32C_XOROUT


# ---------------------------------------------------------------------------
# 2.3 COBS
# ---------------------------------------------------------------------------

class CobsError(ValueError):
    pass


def cobs_encode(data: bytes) -> bytes:
    """Encode so the result has no 0x00. Blocks are a code byte c followed by
    c-1 non-zero bytes; c < 255 means "then a 0x00" (except after the last block),
    c = 255 means "254 bytes, no 0x00". Data that ends exactly on a full 0xFF
    block gets no extra empty 0x01 block (the shortest form; both decode alike,
    and no raw frame is long enough for the difference to arise)."""
    out = bytearray()
    block = bytearray()
    ended_on_full_block = False
    for byte in data:
        ended_on_full_block = False
        if byte == 0:
            out.append(len(block) + 1)   # block, then the 0x00 it stands for
            out += block
            block.clear()
        else:
            block.append(byte)
            if len(block) == 254:
                out.append(0xFF)         # full block, no 0x00 implied
                out += block
                block.clear()
                ended_on_full_block = True
    if not ended_on_full_block:
        out.append(len(block) + 1)       # last block: its 0x00 is dropped
        out += block
    return bytes(out)


def cobs_decode(encoded: bytes) -> bytes:
    """Inverse of cobs_encode. Raises CobsError for a 0x00 anywhere (on the wire
    it would have ended the frame) and for a code byte pointing past the end."""
    if not encoded:
        raise CobsError("empty input (COBS of nothing is 01)")
    out = bytearray()
    i = 0
    while i < len(encoded):
        code = encoded[i]
        if code == 0:
            raise CobsError(f"code byte 0x00 at offset {i}")
        end = i + code
        if end > len(encoded):
            raise CobsError(f"code byte 0x{code:02x} at offset {i} points past the end")
        data = encoded[i + 1:end]
        if 0 in data:
            raise CobsError(f"0x00 inside a block at offset {i}")
        out += data
        i = end
        if code != 0xFF and i < len(encoded):  # last block's 0x00 is implied away
            out.append(0)
    return bytes(out)


# ---------------------------------------------------------------------------
# 2.1 Raw frame
# ---------------------------------------------------------------------------

PROTOCOL_VERSION = 2
# Section 3: header version 2 for every type; header version 1 only for the
# negotiation frames (Hello, and Info or Nak answering it), so that peers of any
# version can negotiate. Any other header version is "unsupported version".
NEGOTIATION_VERSION = 1
NEGOTIATION_TYPES = frozenset({0x01, 0x81, 0x86})  # Hello, Info, Nak


def version_accepted(version: int, type_code: int) -> bool:
    return version == PROTOCOL_VERSION or (
        version == NEGOTIATION_VERSION and type_code in NEGOTIATION_TYPES)
HEADER_LEN = 3           # version, type, seq
CRC_LEN = 4
MAX_PAYLOAD = 55
MIN_RAW = HEADER_LEN + CRC_LEN                # 7
MAX_RAW = MIN_RAW + MAX_PAYLOAD               # 62
MAX_COLLECTED = MAX_RAW + 1                   # 63: COBS adds exactly one byte here
DELIMITER = 0x00

ERROR_NAMES = ("malformed_cobs", "truncated", "bad_crc", "too_long",
               "unsupported_version", "unknown_type", "malformed_payload")


class FrameError(Exception):
    """A counted bad frame; `name` is one of ERROR_NAMES (section 8)."""

    def __init__(self, name: str, detail: str = ""):
        assert name in ERROR_NAMES, name
        super().__init__(f"{name}: {detail}" if detail else name)
        self.name = name


class EncodeError(ValueError):
    """The caller asked for something that is not a valid version-2 frame."""


@dataclass(frozen=True)
class RawFrame:
    version: int
    type: int
    seq: int
    payload: bytes


def parse_raw(collected: bytes) -> RawFrame:
    """Steps 2-4 of section 2.4 on the bytes collected before a 0x00."""
    try:
        raw = cobs_decode(collected)
    except CobsError as e:
        raise FrameError("malformed_cobs", str(e)) from None
    if len(raw) < MIN_RAW:
        raise FrameError("truncated", f"{len(raw)} bytes")
    # No upper-length check is needed: at most 63 collected bytes decode to at most
    # 62, and the receiver never holds more than 63.
    body, crc_bytes = raw[:-CRC_LEN], raw[-CRC_LEN:]
    if crc32c(body) != int.from_bytes(crc_bytes, "little"):
        raise FrameError("bad_crc")
    return RawFrame(version=raw[0], type=raw[1], seq=raw[2], payload=bytes(raw[HEADER_LEN:-CRC_LEN]))


def build_raw(version: int, type_code: int, seq: int, payload: bytes) -> bytes:
    if len(payload) > MAX_PAYLOAD:
        raise EncodeError(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    body = bytes([version, type_code, seq]) + payload
    return body + crc32c(body).to_bytes(CRC_LEN, "little")


def to_wire(raw: bytes) -> bytes:
    return cobs_encode(raw) + bytes([DELIMITER])


# ---------------------------------------------------------------------------
# Section 4 message layouts, as data.
#
# A layout is a list of elements read in order from the payload:
#   Scalar  - one little-endian integer
#   Counted - a u8 `count` then that many integers; the count is not a field,
#             the array is (section 8)
#   Text    - a u8 `<name>_length` then that many UTF-8 bytes; only the string
#             is a field
#   Switch  - the rest of the payload depends on an earlier field (Info section)
#
# Structural checks make a payload malformed: the length, a count or text length
# out of its range, and the values section 4 itself calls malformed (Hello's
# min > max, an Info/GetInfo section, layout, placement or Status state not in
# its list, MatReport's zone range...). Value ranges that the device answers with
# Nak(out of range) (lease_ms = 0, intensity > 1000, an unknown config key...) are
# NOT checked here: the codec passes them up.
# ---------------------------------------------------------------------------

class MalformedPayload(Exception):
    pass


INT_FORMATS = {"u8": "<B", "u16": "<H", "u32": "<I", "u64": "<Q", "i16": "<h"}


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def read(self, fmt: str) -> int:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise MalformedPayload(f"payload too short ({len(self.data)} bytes)")
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return value

    def read_bytes(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise MalformedPayload(f"payload too short ({len(self.data)} bytes)")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk


def _pack(kind: str, value: Any, name: str) -> bytes:
    # JSON gives ints; refuse floats and booleans rather than coerce them.
    if not isinstance(value, int) or isinstance(value, bool):
        raise EncodeError(f"{name}: expected an integer, got {value!r}")
    try:
        return struct.pack(INT_FORMATS[kind], value)
    except struct.error:
        raise EncodeError(f"{name}: {value} does not fit {kind}") from None


@dataclass(frozen=True)
class Scalar:
    name: str
    kind: str
    allowed: Optional[range] = None  # values outside it are malformed

    def decode(self, r: _Reader, fields: dict) -> None:
        value = r.read(INT_FORMATS[self.kind])
        if self.allowed is not None and value not in self.allowed:
            raise MalformedPayload(f"{self.name} {value} not in "
                                   f"{self.allowed.start}..{self.allowed.stop - 1}")
        fields[self.name] = value

    def encode(self, fields: dict, used: List[str]) -> bytes:
        used.append(self.name)
        return _pack(self.kind, _get(fields, self.name), self.name)


@dataclass(frozen=True)
class Counted:
    name: str
    kind: str
    min_count: int
    max_count: int

    def decode(self, r: _Reader, fields: dict) -> None:
        count = r.read("<B")
        if not self.min_count <= count <= self.max_count:
            raise MalformedPayload(f"count {count} outside {self.min_count}..{self.max_count}")
        fields[self.name] = [r.read(INT_FORMATS[self.kind]) for _ in range(count)]

    def encode(self, fields: dict, used: List[str]) -> bytes:
        used.append(self.name)
        values = _get(fields, self.name)
        if not isinstance(values, list):
            raise EncodeError(f"{self.name}: expected an array")
        if not self.min_count <= len(values) <= self.max_count:
            raise EncodeError(f"{self.name}: {len(values)} elements, allowed "
                              f"{self.min_count}..{self.max_count}")
        return bytes([len(values)]) + b"".join(
            _pack(self.kind, v, f"{self.name}[{i}]") for i, v in enumerate(values))


@dataclass(frozen=True)
class Text:
    name: str
    max_bytes: int = 16

    def decode(self, r: _Reader, fields: dict) -> None:
        length = r.read("<B")
        if length > self.max_bytes:
            raise MalformedPayload(f"{self.name}_length {length} > {self.max_bytes}")
        raw = r.read_bytes(length)
        try:
            fields[self.name] = raw.decode("utf-8")
        except UnicodeDecodeError:
            # PROTOCOL.md does not list bad UTF-8 as malformed, but the field is
            # "UTF-8" and a string is what the fields dict must carry.
            raise MalformedPayload(f"{self.name} is not UTF-8") from None

    def encode(self, fields: dict, used: List[str]) -> bytes:
        used.append(self.name)
        text = _get(fields, self.name)
        if not isinstance(text, str):
            raise EncodeError(f"{self.name}: expected a string")
        raw = text.encode("utf-8")
        if len(raw) > self.max_bytes:
            raise EncodeError(f"{self.name}: {len(raw)} UTF-8 bytes > {self.max_bytes}")
        return bytes([len(raw)]) + raw


@dataclass(frozen=True)
class Switch:
    selector: str                      # an earlier field
    cases: Dict[int, Tuple[Any, ...]]  # selector value -> layout of the rest

    def decode(self, r: _Reader, fields: dict) -> None:
        layout = self.cases.get(fields[self.selector])
        if layout is None:
            # No known layout, so no length can be right.
            raise MalformedPayload(f"unknown {self.selector} {fields[self.selector]}")
        for element in layout:
            element.decode(r, fields)

    def encode(self, fields: dict, used: List[str]) -> bytes:
        key = _get(fields, self.selector)
        layout = self.cases.get(key)
        if layout is None:
            raise EncodeError(f"no layout for {self.selector} {key!r}")
        return b"".join(element.encode(fields, used) for element in layout)


def _get(fields: dict, name: str) -> Any:
    if name not in fields:
        raise EncodeError(f"missing field {name!r}")
    return fields[name]


def u8(name, allowed=None): return Scalar(name, "u8", allowed)
def u16(name): return Scalar(name, "u16")
def u32(name): return Scalar(name, "u32")
def u64(name): return Scalar(name, "u64")
def i16(name): return Scalar(name, "i16")


MAX_ACTUATORS = 16
MAX_MAT_ZONES = 64
MAX_ZONES_PER_REPORT = 22


def _check_hello(f: dict) -> Optional[str]:
    if f["min_version"] > f["max_version"]:
        return "min_version > max_version"
    return None


def _check_info(f: dict) -> Optional[str]:
    if f["section"] in (0, 1, 3) and f["index"] != 0:
        return f"index {f['index']} for section {f['section']} (must be 0)"
    return None


def _check_mat_report(f: dict) -> Optional[str]:
    if f["first_zone"] + len(f["pressure"]) > MAX_MAT_ZONES:
        return f"first_zone + count > {MAX_MAT_ZONES}"
    return None


@dataclass(frozen=True)
class Message:
    code: int
    name: str
    layout: Tuple[Any, ...]
    check: Any = None   # extra structural rule: fields -> reason or None


INFO_DEVICE = (
    u8("protocol_version"), u8("firmware_major"), u8("firmware_minor"),
    u8("firmware_patch"), u8("actuator_count", range(MAX_ACTUATORS + 1)),
    u8("layout", range(4)), u8("mat_zone_count", range(MAX_MAT_ZONES + 1)),
    u16("heater_cap"), u16("heater_cap_limit"), u16("max_output_rate_hz"),
    u16("watchdog_ms"), u16("max_lease_ms"), u16("status_period_ms"),
    u16("mat_period_ms"), u16("dose_limit"),
)
INFO_IDENTITY = (Text("vendor"), Text("model"), Text("serial"))
INFO_ACTUATOR = (
    u8("placement", range(3)), u16("angle"), i16("x"), i16("y"), u16("acceleration"),
    u16("spin_up_ms"),
)

INFO_FAULT_RECORD = (u8("code"), u16("faults"), i16("detail"), u64("uptime_us"))
STATUS = (u8("state", range(4)), u16("faults"), i16("temperature"),
          u16("heater_setpoint"), u8("heater_duty"), u64("uptime_us"),
          u16("frames_bad"), u16("frames_superseded"), u16("dose"),
          Counted("output", "u16", 0, MAX_ACTUATORS))

MESSAGES: Tuple[Message, ...] = (
    # host -> device
    Message(0x01, "Hello", (u8("min_version"), u8("max_version")), _check_hello),
    Message(0x02, "SetOutputs", (u16("lease_ms"), u16("heater_setpoint"),
                                 Counted("intensity", "u16", 0, MAX_ACTUATORS))),
    Message(0x03, "Stop", ()),
    Message(0x04, "Heartbeat", ()),
    Message(0x05, "GetStatus", ()),
    Message(0x06, "SetConfig", (u8("key"), u32("value"))),
    Message(0x07, "GetConfig", (u8("key"),)),
    Message(0x08, "ClearFault", ()),
    Message(0x09, "GetInfo", (u8("section", range(4)), u8("index"))),
    # device -> host
    Message(0x81, "Info", (u8("section"), u8("index"),
                           Switch("section", {0: INFO_DEVICE, 1: INFO_IDENTITY,
                                              2: INFO_ACTUATOR, 3: INFO_FAULT_RECORD})),
            _check_info),
    Message(0x82, "Status", STATUS),
    Message(0x83, "MatReport", (u64("timestamp_us"), u8("first_zone"),
                                Counted("pressure", "u16", 1, MAX_ZONES_PER_REPORT)),
            _check_mat_report),
    Message(0x84, "Fault", (u8("code"), u16("faults"), i16("detail"), u64("uptime_us"))),
    Message(0x85, "Ack", (u8("acked_type"),)),
    Message(0x86, "Nak", (u8("rejected_type"), u8("reason"))),
    Message(0x87, "Config", (u8("key"), u32("value"))),
    Message(0x88, "StatusReport", STATUS),   # the periodic Status (version 2)
)
MESSAGES_BY_CODE = {m.code: m for m in MESSAGES}
MESSAGES_BY_NAME = {m.name: m for m in MESSAGES}


def decode_payload(msg: Message, payload: bytes) -> dict:
    """Payload -> fields dict (section 8 format), or MalformedPayload."""
    r = _Reader(payload)
    fields: dict = {}
    for element in msg.layout:
        element.decode(r, fields)
    if r.pos != len(payload):
        raise MalformedPayload(f"{len(payload) - r.pos} bytes left over")
    if msg.check:
        reason = msg.check(fields)
        if reason:
            raise MalformedPayload(reason)
    return fields


def encode_payload(msg: Message, fields: dict) -> bytes:
    used: List[str] = []
    payload = b"".join(element.encode(fields, used) for element in msg.layout)
    extra = set(fields) - set(used)
    if extra:
        raise EncodeError(f"fields not in the {msg.name} layout: {sorted(extra)}")
    # Refuse to produce what a receiver would call malformed.
    try:
        decode_payload(msg, payload)
    except MalformedPayload as e:
        raise EncodeError(f"would be a malformed payload: {e}") from None
    return payload


# ---------------------------------------------------------------------------
# Frames (decoded) and the top-level encoder
# ---------------------------------------------------------------------------

@dataclass
class Frame:
    version: int
    type: str          # message name of section 4
    seq: int
    fields: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"frame": {"version": self.version, "type": self.type,
                          "seq": self.seq, "fields": self.fields}}


def encode_frame(frame: Frame) -> bytes:
    """Frame -> wire bytes, COBS(raw) ++ [0x00]."""
    msg = MESSAGES_BY_NAME.get(frame.type)
    if msg is None:
        raise EncodeError(f"unknown message type {frame.type!r}")
    if not version_accepted(frame.version, msg.code):
        raise EncodeError(f"header version {frame.version!r} is not allowed for {frame.type} "
                          f"(2 for every type, 1 only for Hello, Info and Nak)")
    if not isinstance(frame.seq, int) or not 0 <= frame.seq <= 255:
        raise EncodeError(f"seq {frame.seq!r} is not a u8")
    if not isinstance(frame.fields, dict):
        raise EncodeError("fields is not an object")
    payload = encode_payload(msg, frame.fields)
    return to_wire(build_raw(frame.version, msg.code, frame.seq, payload))


def interpret(raw: RawFrame) -> Frame:
    """Steps 5-8 of section 2.4 on a frame whose CRC is good."""
    if not version_accepted(raw.version, raw.type):
        raise FrameError("unsupported_version", f"version {raw.version} for type 0x{raw.type:02x}")
    # The checker is neither host nor device, so it knows all 17 types; a real
    # device would treat 0x81-0xBF as unknown (and a host 0x01-0x3F).
    msg = MESSAGES_BY_CODE.get(raw.type)
    if msg is None:
        raise FrameError("unknown_type", f"type 0x{raw.type:02x}")
    try:
        fields = decode_payload(msg, raw.payload)
    except MalformedPayload as e:
        raise FrameError("malformed_payload", f"{msg.name}: {e}") from None
    return Frame(raw.version, msg.name, raw.seq, fields)


def judge(collected: bytes) -> Frame:
    """Steps 2-8 of section 2.4 on the (non-empty) bytes before a 0x00."""
    return interpret(parse_raw(collected))


# ---------------------------------------------------------------------------
# 2.4 Streaming receiver
# ---------------------------------------------------------------------------

class Receiver:
    """Feed it bytes in any chunks; it yields Frame objects and FrameError
    objects (counted bad frames) in stream order."""

    def __init__(self) -> None:
        self._collected = bytearray()
        self._too_long = False  # more than 63 bytes since the last 0x00

    def feed(self, data: bytes) -> Iterator[Any]:
        for byte in data:
            if byte != DELIMITER:
                self._collected.append(byte)
                if len(self._collected) > MAX_COLLECTED:
                    # Keep the newest 63 bytes: a good frame at the end of a run
                    # of garbage is then still whole when its 0x00 arrives.
                    del self._collected[0]
                    self._too_long = True
                continue
            collected, too_long = bytes(self._collected), self._too_long
            self._collected.clear()
            self._too_long = False
            yield from self._end_of_frame(collected, too_long)

    def _end_of_frame(self, collected: bytes, too_long: bool) -> Iterator[Any]:
        if too_long:
            # Counted once, first; then the kept bytes may still hold a frame,
            # whole or glued to the garbage, but their failure is not counted.
            yield FrameError("too_long")
            try:
                yield judge(collected)
            except FrameError:
                recovered = self._recover(collected)
                if recovered is not None:
                    yield recovered
            return
        if not collected:
            return  # step 1: empty frame, means nothing
        try:
            raw = parse_raw(collected)  # steps 2-4
        except FrameError as whole_failure:
            # Possibly garbage ++ COBS(frame): one bad frame, then maybe a frame.
            yield whole_failure
            recovered = self._recover(collected)
            if recovered is not None:
                yield recovered
            return
        try:
            yield interpret(raw)  # steps 5-8; these failures have a good header
        except FrameError as e:
            yield e

    @staticmethod
    def _recover(collected: bytes) -> Optional[Frame]:
        """Suffix search, longest suffix first: the first that passes steps 2-7
        (so a version-2 frame of a known type, or a version-1 negotiation frame,
        well formed) is the frame."""
        for start in range(1, len(collected)):
            try:
                return judge(collected[start:])
            except FrameError:
                continue
        return None


def receive_all(wire: bytes) -> List[dict]:
    """Feed `wire` to a fresh receiver; results in the vectors' `expect` form."""
    out = []
    for event in Receiver().feed(wire):
        out.append(event.to_json() if isinstance(event, Frame) else {"error": event.name})
    return out


# ---------------------------------------------------------------------------
# Section 8 vector runner
# ---------------------------------------------------------------------------

HEX_RE = re.compile(r"(?:[0-9a-f]{2})*")


class VectorError(Exception):
    pass


def _compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def validate_expect(expect: Any) -> None:
    """The vector file itself must follow section 8."""
    if not isinstance(expect, list):
        raise VectorError("`expect` is not an array")
    for i, item in enumerate(expect):
        if not isinstance(item, dict) or len(item) != 1:
            raise VectorError(f"expect[{i}] is not a one-key object")
        if "error" in item:
            if item["error"] not in ERROR_NAMES:
                raise VectorError(f"expect[{i}]: unknown error name {item['error']!r}")
        elif "frame" in item:
            frame = item["frame"]
            if not isinstance(frame, dict) or set(frame) != {"version", "type", "seq", "fields"}:
                raise VectorError(f"expect[{i}].frame must have exactly version, type, seq, fields")
        else:
            raise VectorError(f"expect[{i}] is neither a frame nor an error")


def describe_difference(expected: List[dict], got: List[dict]) -> str:
    for i, (e, g) in enumerate(zip(expected, got)):
        if e == g:
            continue
        ef, gf = e.get("frame"), g.get("frame")
        if ef is not None and gf is not None:
            for key in ("version", "type", "seq"):
                if ef.get(key) != gf.get(key):
                    return f"item {i}: {key} expected {ef.get(key)!r}, got {gf.get(key)!r}"
            efields, gfields = ef.get("fields", {}), gf.get("fields", {})
            diffs = []
            for key in sorted(set(efields) | set(gfields), key=str):
                if key not in gfields:
                    diffs.append(f"{key} expected but not decoded")
                elif key not in efields:
                    diffs.append(f"{key}={_compact(gfields[key])} decoded but not expected")
                elif efields[key] != gfields[key]:
                    diffs.append(f"{key} expected {_compact(efields[key])}, "
                                 f"got {_compact(gfields[key])}")
            return f"item {i} ({ef.get('type')}): " + "; ".join(diffs)
        return f"item {i}: expected {_compact(e)}, got {_compact(g)}"
    return (f"expected {len(expected)} items, got {len(got)}: "
            f"expected {_compact(expected)}, got {_compact(got)}")


def check_vector(vector: Any) -> Optional[str]:
    """Returns None if the vector passes, else what differed."""
    if not isinstance(vector, dict):
        raise VectorError("not a JSON object")
    for key in ("name", "wire", "expect", "exact_encoding"):
        if key not in vector:
            raise VectorError(f"missing `{key}`")
    wire_hex = vector["wire"]
    if not isinstance(wire_hex, str) or not HEX_RE.fullmatch(wire_hex):
        raise VectorError("`wire` is not lowercase hex")
    exact = vector["exact_encoding"]
    if not isinstance(exact, bool):
        raise VectorError("`exact_encoding` is not a boolean")
    expect = vector["expect"]
    validate_expect(expect)
    wire = bytes.fromhex(wire_hex)

    got = receive_all(wire)
    if got != expect:
        return "decode: " + describe_difference(expect, got)

    # Section 8: exact_encoding is true exactly when `expect` is one frame and
    # `wire` is the encoder's output for it. Check both directions.
    single_frame = len(expect) == 1 and "frame" in expect[0]
    if exact and not single_frame:
        return "exact_encoding is true but expect is not exactly one frame"
    if single_frame:
        f = expect[0]["frame"]
        try:
            encoded = encode_frame(Frame(f["version"], f["type"], f["seq"], f["fields"]))
        except EncodeError as e:
            return f"encode: {e}"
        if exact and encoded != wire:
            return f"encode: expected wire {wire_hex}, encoder gave {encoded.hex()}"
        if not exact and encoded == wire:
            return "exact_encoding is false but wire is exactly the encoding of its frame"
    return None


def run_vectors(directory: Path) -> int:
    paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
    if not paths:
        print(f"no vectors found: {directory}/*.json does not exist or is empty")
        print("0 passed, 0 failed")
        return 1
    passed = failed = 0
    for path in paths:
        name = path.stem
        try:
            vector = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(vector, dict) and isinstance(vector.get("name"), str):
                name = vector["name"]
            problem = check_vector(vector)
        except (OSError, ValueError, VectorError) as e:  # JSONDecodeError is a ValueError
            problem = f"bad vector file {path.name}: {e}"
        if problem is None:
            passed += 1
            print(f"ok {name}")
        else:
            failed += 1
            print(f"FAIL {name}: {problem}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


# ---------------------------------------------------------------------------
# --self-test
# ---------------------------------------------------------------------------

SAMPLE_FRAMES: Tuple[Frame, ...] = (
    Frame(1, "Hello", 0, {"min_version": 1, "max_version": 3}),
    Frame(2, "Hello", 1, {"min_version": 2, "max_version": 2}),
    Frame(2, "SetOutputs", 7, {"lease_ms": 200, "heater_setpoint": 380,
                               "intensity": [0, 125, 250, 375, 500, 625, 750, 1000]}),
    Frame(2, "SetOutputs", 8, {"lease_ms": 3000, "heater_setpoint": 0, "intensity": []}),
    Frame(2, "Stop", 9, {}),
    Frame(2, "Heartbeat", 10, {}),
    Frame(2, "GetStatus", 11, {}),
    Frame(2, "SetConfig", 12, {"key": 7, "value": 100000}),
    Frame(2, "GetConfig", 13, {"key": 2}),
    Frame(2, "ClearFault", 14, {}),
    Frame(2, "GetInfo", 15, {"section": 2, "index": 3}),
    Frame(1, "Info", 0, {"section": 0, "index": 0, "protocol_version": 2,
                         "firmware_major": 1, "firmware_minor": 2, "firmware_patch": 3,
                         "actuator_count": 8, "layout": 1, "mat_zone_count": 0,
                         "heater_cap": 410, "heater_cap_limit": 430,
                         "max_output_rate_hz": 100, "watchdog_ms": 500,
                         "max_lease_ms": 3000, "status_period_ms": 100,
                         "mat_period_ms": 0, "dose_limit": 400}),
    Frame(2, "Info", 16, {"section": 1, "index": 0, "vendor": "Acme",
                          "model": "Wärmekissen Pro", "serial": "SN-0000000000001"}),
    Frame(2, "Info", 17, {"section": 1, "index": 0, "vendor": "", "model": "", "serial": ""}),
    Frame(2, "Info", 18, {"section": 2, "index": 5, "placement": 2, "angle": 35999,
                          "x": -40, "y": 25, "acceleration": 1850, "spin_up_ms": 80}),
    # The largest frame there is: 55-byte payload, 62 raw, 64 on the wire.
    Frame(2, "Status", 255, {"state": 2, "faults": 0x0101, "temperature": -32768,
                             "heater_setpoint": 410, "heater_duty": 100,
                             "uptime_us": 2**64 - 1, "frames_bad": 65535,
                             "frames_superseded": 3, "dose": 12345,
                             "output": [i * 66 for i in range(16)]}),
    Frame(2, "MatReport", 19, {"timestamp_us": 123456789012, "first_zone": 42,
                               "pressure": list(range(0, 1000, 46))[:22]}),
    Frame(2, "Fault", 20, {"code": 1, "faults": 0x0003, "detail": -205,
                           "uptime_us": 987654321}),
    Frame(2, "Ack", 21, {"acked_type": 0x03}),
    Frame(2, "Nak", 22, {"rejected_type": 0x02, "reason": 6}),
    Frame(1, "Nak", 0, {"rejected_type": 0x01, "reason": 1}),
    Frame(2, "Config", 23, {"key": 1, "value": 500}),
    Frame(2, "StatusReport", 24, {"state": 1, "faults": 0, "temperature": 250,
                                  "heater_setpoint": 0, "heater_duty": 0,
                                  "uptime_us": 1500000, "frames_bad": 0,
                                  "frames_superseded": 3, "dose": 0, "output": [0, 0]}),
    Frame(2, "Info", 25, {"section": 3, "index": 0, "code": 0, "faults": 0x0009,
                          "detail": 512, "uptime_us": 4000000}),
    Frame(2, "Info", 26, {"section": 3, "index": 0, "code": 255, "faults": 0,
                          "detail": 0, "uptime_us": 0}),
)


def _raw_wire(version: int, type_code: int, seq: int, payload: bytes,
              corrupt_crc: bool = False) -> bytes:
    """A hand-built frame, for cases the encoder refuses to produce."""
    raw = bytearray(bytes([version, type_code, seq]) + payload)
    raw += crc32c(bytes(raw)).to_bytes(4, "little")
    if corrupt_crc:
        raw[-1] ^= 0x5A
    return to_wire(bytes(raw))


def _expect_errors(wire: bytes, *names: str) -> None:
    got = receive_all(wire)
    want = [{"error": n} for n in names]
    assert got == want, f"expected {want}, got {got}"


def self_test_cases() -> List[Tuple[str, Any]]:
    cases: List[Tuple[str, Any]] = []

    def case(name):
        def register(fn):
            cases.append((name, fn))
            return fn
        return register

    # -- CRC-32C --
    @case("crc32c check value")
    def _():
        got = crc32c(b"123456789")
        assert got == CRC32C_CHECK, f"0x{got:08X}"

    @case("crc32c residue over frame ++ crc")
    def _():
        rng = random.Random(1)
        for n in range(MIN_RAW - CRC_LEN, MAX_RAW - CRC_LEN + 1):
            body = bytes(rng.randrange(256) for _ in range(n))
            full = body + crc32c(body).to_bytes(4, "little")
            reg = crc32c_update(CRC32C_INIT, full)
            assert reg == CRC32C_RESIDUE_REGISTER, f"register 0x{reg:08X}"
            assert crc32c(full) == CRC32C_RESIDUE_FINAL, f"crc 0x{crc32c(full):08X}"

    # -- COBS --
    known = [  # (decoded, encoded), the usual published examples
        (b"", b"\x01"),
        (b"\x00", b"\x01\x01"),
        (b"\x00\x00", b"\x01\x01\x01"),
        (b"\x00\x11\x00", b"\x01\x02\x11\x01"),
        (b"\x11\x22\x00\x33", b"\x03\x11\x22\x02\x33"),
        (b"\x11\x22\x33\x44", b"\x05\x11\x22\x33\x44"),
        (b"\x11\x00\x00\x00", b"\x02\x11\x01\x01\x01"),
        (bytes(range(1, 255)), b"\xff" + bytes(range(1, 255))),
        (bytes(range(0, 255)), b"\x01\xff" + bytes(range(1, 255))),
        (bytes(range(1, 256)), b"\xff" + bytes(range(1, 255)) + b"\x02\xff"),
        (bytes(range(2, 256)) + b"\x00", b"\xff" + bytes(range(2, 256)) + b"\x01\x01"),
        (bytes(range(3, 256)) + b"\x00\x01", b"\xfe" + bytes(range(3, 256)) + b"\x02\x01"),
    ]

    @case("cobs known encodings")
    def _():
        for decoded, encoded in known:
            assert cobs_encode(decoded) == encoded, f"encode {decoded[:8].hex()}..."
            if decoded:
                assert cobs_decode(encoded) == decoded, f"decode {encoded[:8].hex()}..."

    @case("cobs round trips on edge cases")
    def _():
        edge = [b"\x00" * n for n in (1, 2, 62, 300)]
        edge += [b"\x01" * n for n in (1, 253, 254, 255, 508, 509)]
        edge += [b"\x00" + b"\x07" * 254, b"\x07" * 254 + b"\x00",
                 b"\x07" * 254 + b"\x00" + b"\x07" * 254, bytes(range(256)) * 3]
        for data in edge:
            enc = cobs_encode(data)
            assert 0 not in enc, f"0x00 in encoding of {len(data)} bytes"
            assert cobs_decode(enc) == data, f"round trip of {len(data)} bytes"

    @case("cobs adds exactly one byte to every raw frame size")
    def _():
        rng = random.Random(2)
        for n in range(MIN_RAW, MAX_RAW + 1):
            for zero_share in (0.0, 0.1, 0.5, 1.0):
                data = bytes(0 if rng.random() < zero_share else rng.randrange(1, 256)
                             for _ in range(n))
                enc = cobs_encode(data)
                assert len(enc) == n + 1, f"{n} bytes -> {len(enc)}"
                assert cobs_decode(enc) == data

    @case("cobs decode rejects bad input")
    def _():
        for bad in (b"\x05\x01\x02", b"\x02", b"\x03\x01\x00", b"\x00", b"\xff\x01"):
            try:
                cobs_decode(bad)
            except CobsError:
                continue
            raise AssertionError(f"accepted {bad.hex()}")
        # The non-shortest form of 254 non-zero bytes still decodes the same.
        assert cobs_decode(b"\xff" + b"\x07" * 254 + b"\x01") == b"\x07" * 254

    # -- every message type: encode -> receive -> same frame --
    for frame in SAMPLE_FRAMES:
        label = frame.type
        if frame.type == "Info":
            label += ("/Device", "/Identity", "/Actuator", "/FaultRecord")[frame.fields["section"]]
        @case(f"round trip {label} seq {frame.seq}")
        def _(frame=frame):
            wire = encode_frame(frame)
            assert len(wire) <= 64, f"{len(wire)} bytes on the wire"
            assert wire.index(0) == len(wire) - 1
            got = receive_all(wire)
            assert got == [frame.to_json()], f"got {got}"

    @case("round trips cover every message type")
    def _():
        missing = set(MESSAGES_BY_NAME) - {f.type for f in SAMPLE_FRAMES}
        assert not missing, f"no sample for {sorted(missing)}"

    @case("largest Status is exactly 64 bytes on the wire")
    def _():
        status = next(f for f in SAMPLE_FRAMES if f.type == "Status")
        assert len(encode_frame(status)) == 64

    @case("section 8 example SetOutputs: bytes and length")
    def _():
        # NOTE: PROTOCOL.md section 8 shows this wire as "0b010207c800...": the
        # first code byte must be 05 (four non-zero bytes 01 02 07 c8, then the
        # 0x00 high byte of lease_ms 200).
        wire = encode_frame(next(f for f in SAMPLE_FRAMES if f.type == "SetOutputs"))
        assert wire[:5].hex() == "05020207c8", wire.hex()
        raw = cobs_decode(wire[:-1])
        assert raw[3:8].hex() == "c8007c0108", raw.hex()  # lease, setpoint, count
        assert len(raw) == 3 + 5 + 2 * 8 + 4 and len(wire) == len(raw) + 2

    # -- receiver behaviour --
    @case("receiver: chunking does not matter, empty frames ignored")
    def _():
        stream = b"\x00" + b"\x00".join(encode_frame(f) for f in SAMPLE_FRAMES) + b"\x00\x00"
        whole = receive_all(stream)
        assert whole == [f.to_json() for f in SAMPLE_FRAMES]
        rx = Receiver()
        bytewise = [e for b in stream for e in rx.feed(bytes([b]))]
        assert [e.to_json() for e in bytewise] == whole

    @case("receiver: each error kind")
    def _():
        _expect_errors(b"\x05\x01\x02\x00", "malformed_cobs")
        _expect_errors(to_wire(b"\x01\x05\x00"), "truncated")
        _expect_errors(_raw_wire(2, 0x03, 0, b"", corrupt_crc=True), "bad_crc")
        _expect_errors(_raw_wire(1, 0x03, 0, b""), "unsupported_version")  # v1 Stop
        _expect_errors(_raw_wire(1, 0x82, 0, b"\x01" + bytes(22)), "unsupported_version")
        _expect_errors(_raw_wire(1, 0x88, 0, b"\x01" + bytes(22)), "unsupported_version")
        _expect_errors(_raw_wire(3, 0x01, 0, b"\x03\x03"), "unsupported_version")
        _expect_errors(_raw_wire(0, 0x03, 0, b""), "unsupported_version")
        _expect_errors(_raw_wire(1, 0x0A, 0, b""), "unsupported_version")  # v1, not negotiation
        _expect_errors(_raw_wire(2, 0x0A, 0, b""), "unknown_type")
        _expect_errors(_raw_wire(2, 0x80, 0, b""), "unknown_type")
        _expect_errors(_raw_wire(2, 0x89, 0, b""), "unknown_type")
        _expect_errors(_raw_wire(2, 0x03, 0, b"\x00"), "malformed_payload")
        _expect_errors(_raw_wire(1, 0x01, 0, b"\x01"), "malformed_payload")  # v1 Hello, short

    @case("receiver: structural malformations")
    def _():
        bad = [
            (0x01, b"\x02\x01"),                             # Hello min > max
            (0x02, b"\xc8\x00\x00\x00\x11" + b"\x00" * 34),  # SetOutputs count 17
            (0x02, b"\xc8\x00\x00\x00\x02\x00\x00"),          # count 2, one value
            (0x81, b"\x04\x00"),                             # Info section 4
            (0x81, b"\x03\x00" + bytes(12)),                # Fault record, a byte short
            (0x81, b"\x03\x01" + bytes(13)),                # Fault record, index 1
            (0x88, b"\x04" + bytes(22)),                     # StatusReport state 4
            (0x81, b"\x01\x00\x11" + b"a" * 17 + b"\x00\x00"),  # vendor_length 17
            (0x81, b"\x01\x00\x01a\x00\x00\x00"),            # Identity, a byte too many
            (0x81, b"\x01\x00\x01\xff\x00\x00"),             # vendor not UTF-8
            (0x83, b"\x00" * 8 + b"\x3c\x05" + b"\x00" * 10),  # zones 60..64
            (0x83, b"\x00" * 8 + b"\x00\x00"),               # MatReport count 0
            (0x09, b"\x04\x00"),                             # GetInfo section 4
            (0x81, b"\x01\x01\x00\x00\x00"),                 # Identity, index 1
            (0x81, b"\x00\x00" + bytes(5) + b"\x04" + bytes(17)),  # Device, layout 4
            (0x81, b"\x00\x00" + bytes(4) + b"\x11" + bytes(18)),  # 17 actuators
            (0x81, b"\x00\x00" + bytes(6) + b"\x41" + bytes(16)),  # 65 mat zones
            (0x81, b"\x02\x00\x03" + bytes(10)),              # placement 3
            (0x82, b"\x04" + bytes(22)),                      # Status state 4
        ]
        for type_code, payload in bad:
            _expect_errors(_raw_wire(2, type_code, 0, payload), "malformed_payload")

    @case("receiver: range faults are the device's business, not the codec's")
    def _():
        # lease 0 and intensity 1001 are Nak(out of range), not malformed.
        got = receive_all(_raw_wire(2, 0x02, 4, b"\x00\x00\x00\x00\x01\xe9\x03"))
        assert got == [Frame(2, "SetOutputs", 4, {"lease_ms": 0, "heater_setpoint": 0,
                                                  "intensity": [1001]}).to_json()], got

    @case("receiver: frame glued to garbage is recovered")
    def _():
        frame = next(f for f in SAMPLE_FRAMES if f.type == "SetOutputs")
        for garbage in (b"\x13", b"\x37\xaa\x01", b"\xff\xfe\xfd\x02\x02"):
            got = receive_all(garbage + encode_frame(frame))
            assert len(got) == 2 and "error" in got[0], got
            assert got[1] == frame.to_json(), got

    @case("receiver: too long counts once, keeps the newest 63 bytes")
    def _():
        hello = SAMPLE_FRAMES[0]
        got = receive_all(b"\x55" * 100 + encode_frame(hello))
        assert got == [{"error": "too_long"}, hello.to_json()], got
        # A 63-byte encoded frame fills the window exactly: nothing else to count.
        status = next(f for f in SAMPLE_FRAMES if f.type == "Status")
        got = receive_all(b"\x55" * 10 + encode_frame(status))
        assert got == [{"error": "too_long"}, status.to_json()], got
        _expect_errors(b"\x55" * 500 + b"\x00", "too_long")
        _expect_errors(b"\x55" * 64)  # counted only when its 0x00 arrives
        # A kept window that fails steps 5-7 is not counted a second time.
        status_v3 = _raw_wire(3, 0x82, 0, b"\x01" * MAX_PAYLOAD)  # 63 bytes + 0x00
        _expect_errors(b"\x55" * 10 + status_v3, "too_long")

    @case("encoder refuses what a receiver would reject")
    def _():
        refused = [
            Frame(2, "Hello", 0, {"min_version": 2, "max_version": 1}),
            Frame(2, "SetOutputs", 0, {"lease_ms": 1, "heater_setpoint": 0,
                                       "intensity": [0] * 17}),
            Frame(2, "MatReport", 0, {"timestamp_us": 0, "first_zone": 60,
                                      "pressure": [0] * 5}),
            Frame(2, "Info", 0, {"section": 1, "index": 0, "vendor": "x" * 17,
                                 "model": "", "serial": ""}),
            Frame(2, "Ack", 0, {"acked_type": 256}),
            Frame(2, "Ack", 0, {}),
            Frame(2, "Ack", 0, {"acked_type": 3, "extra": 1}),
            Frame(2, "Stop", 256, {}),
            Frame(1, "Stop", 0, {}),
            Frame(1, "StatusReport", 0, {"state": 1, "faults": 0, "temperature": 0,
                                         "heater_setpoint": 0, "heater_duty": 0,
                                         "uptime_us": 0, "frames_bad": 0,
                                         "frames_superseded": 0, "dose": 0, "output": []}),
            Frame(3, "Hello", 0, {"min_version": 3, "max_version": 3}),
            Frame(2, "Info", 0, {"section": 3, "index": 1, "code": 255, "faults": 0,
                                 "detail": 0, "uptime_us": 0}),
            Frame(2, "Reboot", 0, {}),
        ]
        for frame in refused:
            try:
                encode_frame(frame)
            except EncodeError:
                continue
            raise AssertionError(f"encoded {frame}")

    return cases


def run_self_test() -> int:
    passed = failed = 0
    for name, fn in self_test_cases():
        try:
            fn()
        except Exception as e:  # report every failure, keep going
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
        else:
            passed += 1
            print(f"ok {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--self-test", action="store_true",
                        help="run built-in codec checks instead of the vectors")
    parser.add_argument("--vectors", type=Path,
                        default=Path(__file__).resolve().parent / "vectors",
                        help="vector directory (default: vectors/ beside this script)")
    args = parser.parse_args(argv)
    return run_self_test() if args.self_test else run_vectors(args.vectors)


if __name__ == "__main__":
    sys.exit(main())
