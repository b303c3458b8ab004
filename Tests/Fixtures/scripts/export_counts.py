#!/usr/bin/env python3
"""Count what an Apple Health export holds, straight from its XML, with
Python's own parser (xml.etree.ElementTree.iterparse), by HealthKit type:
every Record (inside Correlations too), Correlation, Workout, WorkoutRoute,
ActivitySummary, Audiogram, ClinicalRecord, and the ECG files beside it.
Usage: export_counts.py EXPORT(.xml|.zip) -> JSON {identifier: count}.
Raw control characters (\\x0b) and the inline DTD (broken in iOS 16
exports) are removed first: the counting must not depend on recovering
from them the way HealthSync does."""
import collections, io, json, os, re, sys, zipfile
import xml.etree.ElementTree as ET

path = sys.argv[1]
ecg = 0
if zipfile.is_zipfile(path):
    archive = zipfile.ZipFile(path)
    names = [n for n in archive.namelist() if not n.startswith('__MACOSX/') and not n.endswith('/')]
    entry = next(n for n in names if b'<HealthData' in archive.open(n).read(256 * 1024))
    data = archive.read(entry)
    folder = entry.rsplit('/', 1)[0] + '/' if '/' in entry else ''
    ecg = sum(1 for n in names if n.startswith(folder + 'electrocardiograms/') and n.lower().endswith('.csv'))
else:
    data = open(path, 'rb').read()
    folder = os.path.join(os.path.dirname(path), 'electrocardiograms')
    if os.path.isdir(folder):
        ecg = sum(1 for n in os.listdir(folder) if n.lower().endswith('.csv'))

data = re.sub(rb'[\x00-\x08\x0b\x0c\x0e-\x1f]', b' ', data)
data = re.sub(rb'<!DOCTYPE HealthData \[.*?\]>', b'', data, count=1, flags=re.S)
counts = collections.Counter()
depth = 0
parents = []
for event, element in ET.iterparse(io.BytesIO(data), events=('start', 'end')):
    if event == 'start':
        parent = parents[-1] if parents else None
        tag = element.tag
        if depth == 1 or (depth == 2 and parent == 'Correlation' and tag == 'Record'):
            if tag in ('Record', 'Correlation'):
                counts[element.get('type')] += 1
            elif tag == 'Workout':
                counts['HKWorkoutTypeIdentifier'] += 1
            elif tag == 'ActivitySummary':
                counts['HKActivitySummaryTypeIdentifier'] += 1
            elif tag == 'Audiogram':
                counts['HKDataTypeIdentifierAudiogram'] += 1
            elif tag == 'ClinicalRecord':
                counts['HKClinicalTypeIdentifier'] += 1
        if depth == 2 and parent == 'Workout' and tag == 'WorkoutRoute':
            counts['HKWorkoutRouteTypeIdentifier'] += 1
        parents.append(tag)
        depth += 1
    else:
        depth -= 1
        parents.pop()
        element.clear()
if ecg:
    counts['HKDataTypeIdentifierElectrocardiogram'] = ecg
print(json.dumps(counts, sort_keys=True))
