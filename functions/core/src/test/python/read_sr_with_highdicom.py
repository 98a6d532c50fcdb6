"""Reads a HipOA structured report with highdicom (an independent TID 1500 reader) and prints what it found as JSON:
for each planar-ROI measurement group, its tracking identifier, finding site laterality, SCOORD point and the
qualitative evaluations as {concept code value: [value code, value scheme]}. Test-only (SrExternalReadersTest)."""
import json
import sys

import highdicom as hd

sr = hd.sr.srread(sys.argv[1])
groups = []
for g in sr.content.get_image_measurement_groups():
    site = g.finding_sites[0] if g.finding_sites else None
    laterality = None
    if site is not None:
        for item in site.ContentSequence if "ContentSequence" in site else []:
            if item.ConceptNameCodeSequence[0].CodeValue == "272741003":
                laterality = item.ConceptCodeSequence[0].CodeValue
    measurements = g.get_measurements()
    coords = [c for m in measurements for c in m.referenced_coordinates]
    region = coords[0] if len(coords) == 1 else None
    groups.append({
        "trackingIdentifier": g.tracking_identifier,
        "trackingUid": str(g.tracking_uid),
        "findingSite": site.value.value if site is not None else None,
        "laterality": laterality,
        "graphicType": region.graphic_type.value if region is not None else None,
        "point": [float(v) for v in region.value.ravel()] if region is not None else None,
        "referencedSop": region.ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID
        if region is not None else None,
        "evaluations": {e.name.value: [e.value.value, e.value.scheme_designator]
                        for e in g.get_qualitative_evaluations()},
        "measurements": {m.name.value: float(m.value) for m in measurements},
        "caption": [item.TextValue for item in g[0].ContentSequence
                    if item.ValueType == "TEXT" and item.ConceptNameCodeSequence[0].CodeValue == "121106"],
    })
print(json.dumps({"studyUid": sr.StudyInstanceUID, "groups": groups}))
