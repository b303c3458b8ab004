#!/usr/bin/env python3
"""Validate a FHIR R4 Bundle with the fhir.resources package (pydantic
models of the FHIR specification, written by others), then print what it
holds as JSON: resource types, LOINC codes with their UCUM units.
Usage: validate_fhir.py BUNDLE.json. Exit 1 with the reason when invalid."""
import collections, json, sys
from fhir.resources.bundle import Bundle

try:
    with open(sys.argv[1], encoding='utf-8') as handle:
        bundle = Bundle.model_validate(json.load(handle))
except Exception as error:  # pydantic.ValidationError, json.JSONDecodeError
    print(f'invalid: {error}', file=sys.stderr)
    sys.exit(1)

types = collections.Counter()
loinc = {}
for entry in bundle.entry or []:
    resource = entry.resource
    types[resource.get_resource_type()] += 1
    for coding in resource.code.coding or []:
        if coding.system == 'http://loinc.org' and resource.valueQuantity is not None:
            loinc[coding.code] = resource.valueQuantity.code
print(json.dumps({'type': bundle.type, 'resources': types, 'loinc': loinc}, sort_keys=True))
