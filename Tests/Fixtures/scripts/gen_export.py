#!/usr/bin/env python3
"""Write a synthetic Apple Health export in the real format, with the traps real exports have.
Usage: gen_export.py OUT.zip|OUT.xml RECORDS [--entry NAME] [--broken-dtd] [--clean] [--seed N] [--all-kinds]
--all-kinds (zip only) adds what full exports hold beside Records: dietary and other types outside the
phone app's catalogue, a type newer than any catalogue, a workout route in a GPX file, an Audiogram,
a ClinicalRecord with its FHIR file and two ECG files.
Traps: inline DTD (optionally with the iOS 16 unclosed ATTLIST), a raw \\x0b in one metadata value,
blood-pressure records both at top level and inside a Correlation, km/mi and kcal/kJ units,
sleep stages, HRV lists, workouts with WorkoutStatistics, non-ASCII source names,
a localized entry name inside the zip."""
import random, sys, zipfile, io, datetime

out, n = sys.argv[1], int(sys.argv[2])
args = sys.argv[3:]
entry = args[args.index('--entry') + 1] if '--entry' in args else 'apple_health_export/export.xml'
broken = '--broken-dtd' in args
clean = '--clean' in args   # no raw \x0b: for peers that cannot recover
kinds = '--all-kinds' in args
rng = random.Random(int(args[args.index('--seed') + 1]) if '--seed' in args else 7)

DTD_OK = '''<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 13 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record type CDATA #REQUIRED unit CDATA #IMPLIED value CDATA #IMPLIED sourceName CDATA #REQUIRED sourceVersion CDATA #IMPLIED device CDATA #IMPLIED creationDate CDATA #IMPLIED startDate CDATA #REQUIRED endDate CDATA #REQUIRED>
]>
'''
DTD_BROKEN = DTD_OK.replace('endDate CDATA #REQUIRED>\n]>', 'endDate CDATA #REQUIRED\n]>')

QTY = [  # (HK identifier, units to pick from, value range)
    ('HKQuantityTypeIdentifierStepCount', ['count'], (1, 900)),
    ('HKQuantityTypeIdentifierDistanceWalkingRunning', ['km', 'mi'], (0.01, 1.5)),
    ('HKQuantityTypeIdentifierActiveEnergyBurned', ['kcal', 'kJ', 'Cal'], (0.1, 40)),
    ('HKQuantityTypeIdentifierBasalEnergyBurned', ['kcal'], (0.5, 2)),
    ('HKQuantityTypeIdentifierHeartRate', ['count/min'], (48, 170)),
    ('HKQuantityTypeIdentifierRestingHeartRate', ['count/min'], (45, 75)),
    ('HKQuantityTypeIdentifierOxygenSaturation', ['%'], (0.9, 1.0)),
    ('HKQuantityTypeIdentifierBodyMass', ['kg', 'lb'], (60, 95)),
    ('HKQuantityTypeIdentifierFlightsClimbed', ['count'], (1, 6)),
    ('HKQuantityTypeIdentifierRespiratoryRate', ['count/min'], (11, 20)),
    ('HKQuantityTypeIdentifierBloodGlucose', ['mg/dL', 'mmol&lt;180.1558800000541&gt;/L'], (4, 9)),
]
SLEEP = ['HKCategoryValueSleepAnalysisInBed', 'HKCategoryValueSleepAnalysisAsleepCore', 'HKCategoryValueSleepAnalysisAsleepDeep',
         'HKCategoryValueSleepAnalysisAsleepREM', 'HKCategoryValueSleepAnalysisAwake', 'HKCategoryValueSleepAnalysisAsleepUnspecified']
SOURCES = ['Apple\u00a0Watch', 'iPhone', 'Café Run Club', 'Withings']
t0 = datetime.datetime(2024, 1, 1, 6, 0, 0)

def d(t): return t.strftime('%Y-%m-%d %H:%M:%S') + ' -0800'

def body():
    yield DTD_BROKEN if broken else DTD_OK
    yield '<HealthData locale="en_US">\n <ExportDate value="2025-06-01 10:00:00 -0800"/>\n'
    yield ' <Me HKCharacteristicTypeIdentifierDateOfBirth="" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexNotSet"/>\n'
    for i in range(n):
        t = t0 + datetime.timedelta(seconds=37 * i)
        k = i % 20
        src = SOURCES[i % len(SOURCES)]
        if k < 14:
            ident, units, (lo, hi) = QTY[i % len(QTY)]
            unit = units[(i // len(QTY)) % len(units)]
            v = round(rng.uniform(lo, hi), 3)
            extra = ''
            if i == n // 2 and not clean:
                extra = '\n  <MetadataEntry key="note" value="bad\x0bchar"/>\n '
            yield (f' <Record type="{ident}" sourceName="{src}" sourceVersion="17.1" unit="{unit}" creationDate="{d(t)}" '
                   f'startDate="{d(t)}" endDate="{d(t + datetime.timedelta(seconds=30))}" value="{v}">{extra}</Record>\n')
        elif k < 16:
            v = SLEEP[i % len(SLEEP)]
            yield (f' <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{src}" value="{v}" '
                   f'startDate="{d(t)}" endDate="{d(t + datetime.timedelta(minutes=20))}">\n'
                   f'  <MetadataEntry key="HKTimeZone" value="America/Los_Angeles"/>\n </Record>\n')
        elif k < 18:
            sys_, dia = rng.randint(105, 140), rng.randint(65, 90)
            rec = lambda ident, v: (f'<Record type="{ident}" sourceName="Withings" unit="mmHg" creationDate="{d(t)}" '
                                   f'startDate="{d(t)}" endDate="{d(t)}" value="{v}"/>')
            yield ' ' + rec('HKQuantityTypeIdentifierBloodPressureSystolic', sys_) + '\n'
            yield ' ' + rec('HKQuantityTypeIdentifierBloodPressureDiastolic', dia) + '\n'
            yield (f' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Withings" creationDate="{d(t)}" '
                   f'startDate="{d(t)}" endDate="{d(t)}">\n  ' + rec('HKQuantityTypeIdentifierBloodPressureSystolic', sys_) +
                   '\n  ' + rec('HKQuantityTypeIdentifierBloodPressureDiastolic', dia) + '\n </Correlation>\n')
        elif k == 18:
            yield (f' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="Apple\u00a0Watch" unit="ms" '
                   f'startDate="{d(t)}" endDate="{d(t + datetime.timedelta(minutes=1))}" value="{rng.randint(20, 90)}">\n'
                   '  <HeartRateVariabilityMetadataList>\n'
                   '   <InstantaneousBeatsPerMinute bpm="61" time="7:47:41.86 PM"/>\n'
                   '   <InstantaneousBeatsPerMinute bpm="63" time="7:47:42.80 PM"/>\n'
                   '  </HeartRateVariabilityMetadataList>\n </Record>\n')
        else:
            dur = rng.randint(15, 90)
            yield (f' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="{dur}" durationUnit="min" '
                   f'sourceName="{src}" startDate="{d(t)}" endDate="{d(t + datetime.timedelta(minutes=dur))}">\n'
                   f'  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="{d(t)}" '
                   f'endDate="{d(t + datetime.timedelta(minutes=dur))}" sum="{dur * 11}" unit="Cal"/>\n'
                   f'  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="{d(t)}" '
                   f'endDate="{d(t + datetime.timedelta(minutes=dur))}" sum="{round(dur * 0.16, 2)}" unit="km"/>\n </Workout>\n')
    if kinds:
        for i, (ident, unit, value) in enumerate([
                ('HKQuantityTypeIdentifierDietaryEnergyConsumed', 'kcal', '420'), ('HKQuantityTypeIdentifierDietaryWater', 'mL', '250'),
                ('HKQuantityTypeIdentifierAppleStandTime', 'min', '3'), ('HKQuantityTypeIdentifierFutureThing', 'zz', '7'),
                ('HKQuantityTypeIdentifierBloodGlucose', 'mg/dL', '95')]):
            t = t0 + datetime.timedelta(hours=i)
            yield (f' <Record type="{ident}" sourceName="iPhone" unit="{unit}" startDate="{d(t)}" endDate="{d(t)}" value="{value}"/>\n')
        yield (f' <Record type="HKCategoryTypeIdentifierMindfulSession" sourceName="iPhone" value="HKCategoryValueNotApplicable" '
               f'startDate="{d(t0)}" endDate="{d(t0 + datetime.timedelta(minutes=10))}"/>\n')
        yield (f' <Workout workoutActivityType="HKWorkoutActivityTypeCycling" duration="30" durationUnit="min" sourceName="Watch" '
               f'startDate="{d(t0)}" endDate="{d(t0 + datetime.timedelta(minutes=30))}">\n'
               f'  <WorkoutEvent type="HKWorkoutEventTypePause" date="{d(t0 + datetime.timedelta(minutes=10))}"/>\n'
               f'  <WorkoutRoute sourceName="Watch" startDate="{d(t0)}" endDate="{d(t0 + datetime.timedelta(minutes=30))}">\n'
               f'   <FileReference path="/workout-routes/route_2024-01-01_6.00am.gpx"/>\n  </WorkoutRoute>\n </Workout>\n')
        yield (f' <Audiogram type="HKDataTypeIdentifierAudiogram" sourceName="Mimi" startDate="{d(t0)}" endDate="{d(t0)}">\n'
               '  <SensitivityPoint frequencyValue="500" frequencyUnit="Hz" leftEarValue="10" leftEarUnit="dBHL" rightEarValue="15" rightEarUnit="dBHL"/>\n'
               '  <SensitivityPoint frequencyValue="1000" frequencyUnit="Hz" leftEarValue="5" leftEarUnit="dBHL" rightEarValue="10" rightEarUnit="dBHL"/>\n'
               ' </Audiogram>\n')
        yield (f' <ClinicalRecord type="HKClinicalTypeIdentifierLabResultRecord" identifier="obs-1" sourceName="Clinic" '
               f'sourceURL="https://fhir.example/Observation/obs-1" fhirVersion="4.0.1" receivedDate="{d(t0)}" '
               'resourceFilePath="/clinical-records/Observation-obs-1.json"/>\n')
    yield ' <ActivitySummary dateComponents="2024-01-01" activeEnergyBurned="512" activeEnergyBurnedGoal="600" activeEnergyBurnedUnit="kcal" appleMoveTime="0" appleMoveTimeGoal="0" appleExerciseTime="31" appleExerciseTimeGoal="30" appleStandHours="11" appleStandHoursGoal="12"/>\n'
    yield '</HealthData>\n'

if out.endswith('.zip'):
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        with z.open(entry, 'w') as f:
            for part in body(): f.write(part.encode('utf-8'))
        z.writestr('__MACOSX/._export.xml', b'\x00junk')
        if kinds:
            folder = entry.rsplit('/', 1)[0] + '/' if '/' in entry else ''
            points = ''.join(f'<trkpt lon="{-122.39 + i / 10000:.6f}" lat="{37.78 + i / 10000:.6f}"><ele>{4 + i}</ele>'
                             f'<time>2024-01-01T14:{i:02d}:00Z</time><extensions><speed>3.1</speed><course>90</course>'
                             '<hAcc>5</hAcc><vAcc>3</vAcc></extensions></trkpt>' for i in range(30))
            z.writestr(folder + 'workout-routes/route_2024-01-01_6.00am.gpx',
                       '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="Apple Health Export" '
                       f'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{points}</trkseg></trk></gpx>')
            z.writestr(folder + 'clinical-records/Observation-obs-1.json',
                       '{"resourceType":"Observation","id":"obs-1","status":"final","code":{"text":"Glucose"},'
                       '"valueQuantity":{"value":95,"unit":"mg/dL"}}')
            for day in ('2024-01-02', '2024-01-03'):
                volts = '\n'.join(f'{rng.uniform(-300, 300):.3f}' for _ in range(1024))
                z.writestr(folder + f'electrocardiograms/ecg_{day}.csv',
                           f'Name,Jane Appleseed\nDate of Birth,"Jan 1, 1980"\nRecorded Date,{day} 10:21:44 -0800\n'
                           'Classification,Sinus Rhythm\nSymptoms,\nSoftware Version,2\nDevice,"Watch6,1"\n'
                           f'Sample Rate,512 hertz\nLead,Lead I\nUnit,µV\n\n{volts}\n')
else:
    with open(out, 'w', encoding='utf-8') as f:
        for part in body(): f.write(part)
