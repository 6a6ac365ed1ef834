#!/usr/bin/env python3
"""Writes the seed corpus of the .npy fuzzer, fuzz/corpus/npy/ (checked in; rerun after a
change here). Standard library only: the bytes are what numpy.save writes, built by hand so
that broken files can be made too. Each seed reaches a different branch of the reader."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "npy")


def npy(header, data=b"", version=1, pad=True):
    """A .npy file: magic, version, header length, header (padded as NumPy pads it), data."""
    h = header.encode("latin-1")
    prefix = 10 if version == 1 else 12
    if pad:
        h += b" " * ((64 - (prefix + len(h) + 1) % 64) % 64) + b"\n"
    length = struct.pack("<H" if version == 1 else "<I", len(h))
    return b"\x93NUMPY" + bytes([version, 0]) + length + h + data


def dict_(descr="'<f8'", fortran="False", shape="(2, 3)", extra=""):
    return "{'descr': %s, 'fortran_order': %s, 'shape': %s, %s}" % (descr, fortran, shape, extra)


def f8(*values):
    return struct.pack("<%dd" % len(values), *values)


SEEDS = {
    "f8_2x3.npy": npy(dict_(), f8(0, 1, 2, 3, 4.5, -6)),
    "f4_1d.npy": npy(dict_("'<f4'", shape="(3,)"), struct.pack("<3f", 1.5, -2.5, 3.5)),
    "f8_version2.npy": npy(dict_(shape="(1, 2)"), f8(7, 8), version=2),
    "f8_version3.npy": npy(dict_(shape="(2,)"), f8(-1, 1), version=3),
    "empty_0x3.npy": npy(dict_(shape="(0, 3)")),
    "nan_inf.npy": npy(dict_(shape="(2, 2)"), f8(float("nan"), 1, float("inf"), -float("inf"))),
    "unknown_keys.npy": npy(
        dict_(shape="(1, 1)", extra="'x': [1, (2, 3), {'y': 'z'}], 'w': -1.5e3, "), f8(2)),
    # Issue 18's crash, 1,000 levels deep instead of 100,000 (the fuzzer's inputs stay small).
    "nested_brackets.npy": npy(
        "{'descr':'<f8','fortran_order':False,'shape':(1,1),'x':" + "[" * 1000 + "]" * 1000 + "}",
        f8(0), version=2, pad=False),
    "truncated_data.npy": npy(dict_(), f8(1, 2, 3)),
    "truncated_header.npy": npy(dict_(), version=2)[:40],
    "header_length_beyond_file.npy": b"\x93NUMPY\x02\x00\xf0\xff\xff\xff{'descr'",
    "huge_shape.npy": npy(dict_(shape="(4294967296, 1048576)"), f8(1)),
    "bad_magic.npy": b"q,k,v\n1,2,3\n",
    "version9.npy": b"\x93NUMPY\x09\x00\x10\x00",
    "big_endian.npy": npy(dict_("'>f8'", shape="(1,)"), struct.pack(">d", 1)),
    "fortran.npy": npy(dict_(fortran="True", shape="(1, 1)"), f8(1)),
    "int64.npy": npy(dict_("'<i8'", shape="(1,)"), struct.pack("<q", 1)),
    "three_d.npy": npy(dict_(shape="(1, 1, 1)"), f8(1)),
    "structured.npy": npy(dict_("[('x', '<f8')]", shape="(1,)"), f8(1)),
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(SEEDS), OUT))
