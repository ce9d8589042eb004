"""Vendor health: CPU, memory and temperature per board, optical Rx/Tx power per port.

One small module per vendor behind the exporter's module interface (`name`, `walks`, `gets`,
`interface_labels`, `to_metrics`), registered in `HEALTH_MODULES`. Every vendor maps its
private MIB to the same families, so one alert rule and one dashboard row serve all of them:

    govops_health_cpu_usage_percent{entPhysicalIndex, entPhysicalName}
    govops_health_memory_usage_percent{entPhysicalIndex, entPhysicalName}
    govops_health_temperature_celsius{entPhysicalIndex, entPhysicalName}
    govops_health_temperature_threshold_celsius{entPhysicalIndex, entPhysicalName}  the device's own
    govops_health_optical_rx_power_dbm{index, port}
    govops_health_optical_tx_power_dbm{index, port}
    govops_health_optical_rx_low_threshold_dbm{index, port}    the module's own alarm thresholds
    govops_health_optical_rx_high_threshold_dbm{index, port}

A row is emitted only for an entity that really reports the value; the rule for each vendor
and the MIB text or real recording it comes from is written next to it and in
tests/fixtures/real/snmp/PROVENANCE.md. Ruijie and ZTE tables are not indexed by
entPhysicalIndex: there `entPhysicalIndex` is the vendor table's index and `entPhysicalName`
the vendor's own name column (see each class).

mapping.py imports this file to register the modules, so mapping's helpers (number, skipped,
text: non-numbers counted in snmp_scrape_errors, GB18030 labels) are imported inside functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

Oid = tuple[int, ...]
Table = dict[Oid, dict[Oid, object]]

ENT_PHYSICAL_CLASS: Oid = (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 5)  # ENTITY-MIB
ENT_PHYSICAL_NAME: Oid = (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 7)
SYS_DESCR: Oid = (1, 3, 6, 1, 2, 1, 1, 1, 0)
PHYSICAL_CLASS_SENSOR, PHYSICAL_CLASS_MODULE = 8, 9  # ENTITY-MIB PhysicalClass

BOARD_LABELS = ["entPhysicalIndex", "entPhysicalName"]
PORT_LABELS = ["index", "port"]


def _label(value) -> str:
    """An OCTET STRING label (UTF-8, else GB18030 as Chinese gear sends: mapping.text)."""
    from monitoring.snmp.mapping import text  # here, not at the top: mapping imports this module

    return "" if value is None else text(value)


def _column(table: Table, oid: Oid) -> dict[Oid, object]:
    return table.get(oid, {})


def _ints(table: Table, oid: Oid) -> dict[Oid, float]:
    """A numeric column; a value that is not a number (`N/A`) is left out and counted in
    snmp_scrape_errors like every other module's (mapping.number / mapping.skipped)."""
    from monitoring.snmp.mapping import number, skipped  # here: mapping imports this module

    out = {}
    for idx, value in _column(table, oid).items():
        try:
            out[idx] = number(value)
        except ValueError:
            skipped(f".{_index(oid)}.{_index(idx)}={value!r}")
    return out


def _columns(entry: Oid, *columns: int) -> tuple[Oid, ...]:
    return tuple(entry + (c,) for c in columns)


def _index(idx: Oid) -> str:
    return ".".join(map(str, idx))


def uw_to_dbm(microwatts: float) -> float:
    """Optical power in µW as dBm (0 dBm = 1 mW); 0 µW is floored at -40 dBm (0.1 µW)."""
    return 10 * math.log10(max(microwatts, 0.1) / 1000)


class Families:
    """The health families of one scrape, created empty so an agent without the MIB gives none."""

    def __init__(self, source: str):
        def gauge(name: str, what: str, labels: list[str]) -> GaugeMetricFamily:
            return GaugeMetricFamily(name, f"{what} ({source}).", labels=labels)

        self.cpu = gauge("govops_health_cpu_usage_percent", "CPU usage of a board in percent", BOARD_LABELS)
        self.mem = gauge("govops_health_memory_usage_percent", "Memory usage of a board in percent", BOARD_LABELS)
        self.temp = gauge("govops_health_temperature_celsius", "Temperature of a board or sensor in degrees Celsius",
                          BOARD_LABELS)
        self.temp_threshold = gauge("govops_health_temperature_threshold_celsius",
                                    "Temperature alarm threshold the device reports for the board or sensor",
                                    BOARD_LABELS)
        self.rx = gauge("govops_health_optical_rx_power_dbm", "Optical receive power in dBm", PORT_LABELS)
        self.tx = gauge("govops_health_optical_tx_power_dbm", "Optical transmit power in dBm", PORT_LABELS)
        self.rx_low = gauge("govops_health_optical_rx_low_threshold_dbm",
                            "Receive power low alarm threshold the transceiver reports, in dBm", PORT_LABELS)
        self.rx_high = gauge("govops_health_optical_rx_high_threshold_dbm",
                             "Receive power high alarm threshold the transceiver reports, in dBm", PORT_LABELS)

    def all(self) -> list[Metric]:
        return [self.cpu, self.mem, self.temp, self.temp_threshold, self.rx, self.tx, self.rx_low, self.rx_high]


def _temperature_thresholds(fam: Families, table: Table, oid: Oid, invalid) -> None:
    """The device's temperature threshold for every board/sensor that got a temperature series."""
    thresholds = _ints(table, oid)
    for sample in list(fam.temp.samples):
        idx = tuple(int(p) for p in sample.labels["entPhysicalIndex"].split("."))
        value = thresholds.get(idx)
        if value is not None and not invalid(value):
            fam.temp_threshold.add_metric(list(sample.labels.values()), value)


def _names(table: Table) -> dict[Oid, str]:
    return {idx: _label(v) for idx, v in _column(table, ENT_PHYSICAL_NAME).items()}


class HuaweiHealth:
    """HUAWEI-ENTITY-EXTENT-MIB (hwEntityExtentMIB, 1.3.6.1.4.1.2011.5.25.31), VRP V5 and V8.

    Boards: hwEntityStateTable (index entPhysicalIndex). A row is a board with a CPU when its
    hwEntityCpuUsageThreshold is not 0 (memory: hwEntityMemUsageThreshold); every other row
    reads 0 for CPU and memory (LibreNMS vrp.yaml uses the same rule; in the S5720-56C
    recording 81 of 82 rows are such zeros). Temperature, "Unit: centigrade" (MIB V3.82):
    0 and 0x7FFFFFFF mean "no sensor" (MIB V3.05: "The value 0X7FFFFFF indicates invalid
    temperature"; an AC6605 recording gives 2147483647).
    hwEntityTemperatureThreshold is the device's own alarm level (recordings: S5720 MPU 57,
    NE8000 line cards 105, power supplies 120).

    Optics: hwOpticalModuleInfoTable (index entPhysicalIndex of the port). The MIB (V3.05)
    says hwEntityOpticalRxPower/TxPower are dBm x 100, and NE8000 V800R012 agrees (Tx 256 =
    2.56 dBm, inside its Tx thresholds -1.50..4.50 dBm, equal to hwEntityOpticalMaxTxPower).
    VRP V5 firmware reports positive values in µW (older MIB revisions: "Unit: uW"): an S5720
    V200R010 gives Tx 591 with a Tx high threshold of 0.99 dBm, which only fits 591 µW =
    -2.28 dBm; its negative values (AR169: -849) are dBm x 100. So on VRP V5 a positive value
    is µW and a non-positive one dBm x 100 (LibreNMS vrp.yaml does the same), on VRP V8 (from
    sysDescr "Version 8.") all are dBm x 100. No module: -1 (S5720) or 0 with a bias current
    of 0 (S5328C, AR169). Thresholds are dBm x 100 on both; -1 means "not supported".
    """

    name = "huawei"
    interface_labels = False
    STATE = (1, 3, 6, 1, 4, 1, 2011, 5, 25, 31, 1, 1, 1, 1)
    OPTICAL = (1, 3, 6, 1, 4, 1, 2011, 5, 25, 31, 1, 1, 3, 1)
    CPU, CPU_THRESHOLD, MEM, MEM_THRESHOLD, TEMPERATURE, TEMPERATURE_THRESHOLD = _columns(STATE, 5, 6, 7, 8, 11, 12)
    BIAS, RX, TX, RX_LOW, RX_HIGH = _columns(OPTICAL, 7, 8, 9, 13, 14)
    INVALID_TEMPERATURE = 0x7FFFFFFF
    walks = (ENT_PHYSICAL_NAME, CPU, CPU_THRESHOLD, MEM, MEM_THRESHOLD, TEMPERATURE, TEMPERATURE_THRESHOLD,
             BIAS, RX, TX, RX_LOW, RX_HIGH)
    gets = (SYS_DESCR,)

    def to_metrics(self, table: Table, scalars, ifl) -> Iterator[Metric]:
        fam = Families("HUAWEI-ENTITY-EXTENT-MIB")
        names = _names(table)
        for value_oid, threshold_oid, family in ((self.CPU, self.CPU_THRESHOLD, fam.cpu),
                                                 (self.MEM, self.MEM_THRESHOLD, fam.mem)):
            thresholds = _ints(table, threshold_oid)
            for idx, value in sorted(_ints(table, value_oid).items()):
                if thresholds.get(idx, 0) != 0:
                    family.add_metric([_index(idx), names.get(idx, "")], value)
        for idx, value in sorted(_ints(table, self.TEMPERATURE).items()):
            if value != 0 and value < self.INVALID_TEMPERATURE - 1:
                fam.temp.add_metric([_index(idx), names.get(idx, "")], value)
        _temperature_thresholds(fam, table, self.TEMPERATURE_THRESHOLD,
                                lambda v: v <= 0 or v >= self.INVALID_TEMPERATURE - 1)
        descr = (scalars or {}).get(SYS_DESCR)
        vrp8 = isinstance(descr, bytes) and b"Version 8." in descr
        bias = _ints(table, self.BIAS)
        for oid, family in ((self.RX, fam.rx), (self.TX, fam.tx)):
            for idx, raw in sorted(_ints(table, oid).items()):
                if raw == -1 or (raw == 0 and bias.get(idx, 0) <= 0):
                    continue  # no transceiver in the port
                dbm = raw / 100 if vrp8 or raw <= 0 else uw_to_dbm(raw)
                family.add_metric([_index(idx), names.get(idx, "")], round(dbm, 2))
        present = {tuple(s.labels.values()) for s in fam.rx.samples}
        for oid, family in ((self.RX_LOW, fam.rx_low), (self.RX_HIGH, fam.rx_high)):
            for idx, raw in sorted(_ints(table, oid).items()):
                labels = [_index(idx), names.get(idx, "")]
                if raw != -1 and tuple(labels) in present:
                    family.add_metric(labels, raw / 100)
        yield from fam.all()


class H3cHealth:
    """HH3C-ENTITY-EXT-MIB and HH3C-TRANSCEIVER-INFO-MIB (Comware 5 and 7).

    Boards: hh3cEntityExtStateTable (index = entPhysicalIndex). CPU and memory for rows whose
    hh3cEntityExtMemUsage is above 0: an entity with a CPU always uses memory, and in the HP
    10508, HPE 5900 and HP A5500 recordings every row that is not a board reads 0 for both
    (their thresholds are not populated, so the Huawei threshold rule cannot be used).
    Temperature: only sensor(8) and module(9) entities (ENTITY-MIB entPhysicalClass), 65535
    and 0 mean "no sensor" (284 of 322 rows of the HP 10508 read 65535; an A5500 repeats one
    sensor's value on every row, hence the class filter). Unit: °C (values 22-58).
    hh3cEntityExtTemperatureThreshold: the device's alarm level, 65535 = none (HPE 5900
    sensors: 65, 67; boards: 65535).

    Optics: hh3cTransceiverInfoTable, index ifIndex (so ifName comes from IF-MIB).
    hh3cTransceiverCurRXPower/CurTXPower: "The unit is in hundredths of dBm"; 2147483647 and
    hh3cTransceiverDiagnostic false(2) mean no digital diagnostics. The Rx alarm thresholds
    hh3cTransceiverRcvPwrHiAlarm/LoAlarm are "in tenths of microwatts"; 0 means not reported.
    """

    name = "h3c"
    interface_labels = True  # optics are indexed by ifIndex
    STATE = (1, 3, 6, 1, 4, 1, 25506, 2, 6, 1, 1, 1, 1)
    TRANSCEIVER = (1, 3, 6, 1, 4, 1, 25506, 2, 70, 1, 1, 1)
    CPU, MEM, TEMPERATURE, TEMPERATURE_THRESHOLD = _columns(STATE, 6, 8, 12, 13)
    DIAGNOSTIC, TX, RX, RX_HIGH, RX_LOW = _columns(TRANSCEIVER, 8, 9, 12, 34, 35)
    NO_SENSOR = (0, 65535)
    INVALID_POWER = 2147483647
    TRUE = 1  # SNMPv2-TC TruthValue
    walks = (ENT_PHYSICAL_NAME, ENT_PHYSICAL_CLASS, CPU, MEM, TEMPERATURE, TEMPERATURE_THRESHOLD,
             DIAGNOSTIC, TX, RX, RX_HIGH, RX_LOW)
    gets = ()

    def to_metrics(self, table: Table, scalars, ifl) -> Iterator[Metric]:
        fam = Families("HH3C-ENTITY-EXT-MIB, HH3C-TRANSCEIVER-INFO-MIB")
        names = _names(table)
        classes = _ints(table, ENT_PHYSICAL_CLASS)
        cpu = _ints(table, self.CPU)
        for idx, mem in sorted(_ints(table, self.MEM).items()):
            if mem > 0:
                labels = [_index(idx), names.get(idx, "")]
                fam.mem.add_metric(labels, mem)
                if idx in cpu:
                    fam.cpu.add_metric(labels, cpu[idx])
        for idx, value in sorted(_ints(table, self.TEMPERATURE).items()):
            if value not in self.NO_SENSOR and classes.get(idx) in (PHYSICAL_CLASS_SENSOR, PHYSICAL_CLASS_MODULE):
                fam.temp.add_metric([_index(idx), names.get(idx, "")], value)
        _temperature_thresholds(fam, table, self.TEMPERATURE_THRESHOLD, lambda v: v in self.NO_SENSOR)
        diagnostic = _ints(table, self.DIAGNOSTIC)
        if_names = getattr(ifl, "name", {}) or {}
        reporting = set()
        for oid, family in ((self.RX, fam.rx), (self.TX, fam.tx)):
            for idx, raw in sorted(_ints(table, oid).items()):
                if raw != self.INVALID_POWER and diagnostic.get(idx) == self.TRUE:
                    family.add_metric([_index(idx), if_names.get(idx[0], "")], raw / 100)
                    reporting.add(idx)
        for oid, family in ((self.RX_LOW, fam.rx_low), (self.RX_HIGH, fam.rx_high)):
            for idx, raw in sorted(_ints(table, oid).items()):
                if idx in reporting and 0 < raw < self.INVALID_POWER:
                    family.add_metric([_index(idx), if_names.get(idx[0], "")], round(uw_to_dbm(raw / 10), 2))
        yield from fam.all()


class RuijieHealth:
    """RUIJIE-PROCESS-MIB, RUIJIE-MEMORY-MIB, RUIJIE-SYSTEM-MIB (ruijieMgmt 1.3.6.1.4.1.4881.1.1.10.2).

    Per node (line card / member): ruijieNodeCPUTotalTable (ruijieMgmt 36.1.2, 1-minute CPU,
    name ruijieNodeCPUTotalName "slot x"), ruijieNodeMemoryPoolTable (ruijieMgmt 35.1.2,
    ruijieNodeMemoryPoolCurrentUtilization, Percent 0..100), ruijieSystemTemperatureTable
    (ruijieMgmt 1.1.23, ruijieSystemTemperatureCurrent; MIB: "The temperature display is not
    supported for the current temperature returns to 0", so 0 is skipped; its threshold is
    ruijieSystemTemperatureWarningVaule, "The first warning of temperature"). The indexes are the
    tables' own, not entPhysicalIndex, and the names their name columns.
    unverified: no public RGOS SNMP recording carries these tables (LibreNMS ruijie.snmprec has
    only standard MIBs); OIDs and scales are from the MIB text alone. Optical power
    (RUIJIE-FIBER-MIB, ruijieMgmt 105) splits each value into integer/decimal/sign/type
    columns whose use RGOS documents nowhere we could read: not implemented (unverified).
    """

    name = "ruijie"
    interface_labels = False
    MGMT = (1, 3, 6, 1, 4, 1, 4881, 1, 1, 10, 2)
    CPU_NODE = MGMT + (36, 1, 2, 1)
    MEM_NODE = MGMT + (35, 1, 2, 1)
    TEMP = MGMT + (1, 1, 23, 1)
    CPU_NAME, CPU_1MIN = CPU_NODE + (2,), CPU_NODE + (4,)
    MEM_NAME, MEM_CURRENT = MEM_NODE + (2,), MEM_NODE + (3,)
    TEMP_NAME, TEMP_CURRENT, TEMP_WARNING = _columns(TEMP, 2, 3, 4)
    walks = (CPU_NAME, CPU_1MIN, MEM_NAME, MEM_CURRENT, TEMP_NAME, TEMP_CURRENT, TEMP_WARNING)
    gets = ()

    def to_metrics(self, table: Table, scalars, ifl) -> Iterator[Metric]:
        fam = Families("RUIJIE-PROCESS-MIB, RUIJIE-MEMORY-MIB, RUIJIE-SYSTEM-MIB; unverified")
        for name_oid, value_oid, family, skip_zero in ((self.CPU_NAME, self.CPU_1MIN, fam.cpu, False),
                                                       (self.MEM_NAME, self.MEM_CURRENT, fam.mem, False),
                                                       (self.TEMP_NAME, self.TEMP_CURRENT, fam.temp, True)):
            names = {idx: _label(v) for idx, v in _column(table, name_oid).items()}
            for idx, value in sorted(_ints(table, value_oid).items()):
                if not (skip_zero and value == 0):
                    family.add_metric([_index(idx), names.get(idx, "")], value)
        _temperature_thresholds(fam, table, self.TEMP_WARNING, lambda v: v <= 0)
        yield from fam.all()


class ZteHealth:
    """ZXR10-MIB (zxr10 1.3.6.1.4.1.3902.3), ZXR10 switches and routers.

    CPU and memory per unit: zxr10SystemUnitTable (zxr10 3.1, index zxr10SystemUnitIndex),
    rows with zxr10SystemUnitRunStatus running(1); CPU = zxr10SystemCpuUtility5m (percent, the
    column LibreNMS zxr10.yaml reads). Memory: the MIB says zxr10SystemMemUsed is octets and
    zxr10SystemMemSize bytes, but LibreNMS reads MemUsed as a percentage; without a recording
    both readings are kept: a MemUsed of at most 100 is a percentage, otherwise used/size.
    Temperature per board: zxr10slotTable zxr10SlotTemperature (zxr10 2.3.1.10, index
    rack.shelf.slot), 0 skipped; the MIB states no unit (°C assumed).
    unverified: the public ZXR10 recordings (LibreNMS zxr10_5250, zxr10_5928) carry no ZTE
    private table, so none of this is checked against a device. Optical power: no ZXR10 MIB
    with transceiver power was found (ZTE-AN-OPTICAL-MODULE-MIB is for the access-network
    OLTs): not implemented.
    """

    name = "zte"
    interface_labels = False
    UNIT = (1, 3, 6, 1, 4, 1, 3902, 3, 3, 1, 1)
    SLOT = (1, 3, 6, 1, 4, 1, 3902, 3, 2, 3, 1)
    RUN_STATUS, MEM_SIZE, MEM_USED, CPU_5MIN = _columns(UNIT, 2, 3, 4, 12)
    SLOT_TEMPERATURE = SLOT + (10,)
    RUNNING = 1
    walks = (RUN_STATUS, MEM_SIZE, MEM_USED, CPU_5MIN, SLOT_TEMPERATURE)
    gets = ()

    def to_metrics(self, table: Table, scalars, ifl) -> Iterator[Metric]:
        fam = Families("ZXR10-MIB; unverified")
        status = _ints(table, self.RUN_STATUS)
        # A unit shut down (0) reports stale numbers; an agent without the status column: all run.
        down = {idx for idx, v in status.items() if v != self.RUNNING}
        size = _ints(table, self.MEM_SIZE)
        for idx, value in sorted(_ints(table, self.CPU_5MIN).items()):
            if idx not in down:
                fam.cpu.add_metric([_index(idx), f"unit {_index(idx)}"], value)
        for idx, used in sorted(_ints(table, self.MEM_USED).items()):
            if idx in down:
                continue
            if 0 <= used <= 100:
                percent = float(used)
            elif size.get(idx, 0) > 0:
                percent = round(100 * used / size[idx], 2)
            else:
                continue
            fam.mem.add_metric([_index(idx), f"unit {_index(idx)}"], percent)
        for idx, value in sorted(_ints(table, self.SLOT_TEMPERATURE).items()):
            if value != 0 and len(idx) == 3:
                fam.temp.add_metric([_index(idx), "rack {} shelf {} slot {}".format(*idx)], value)
        yield from fam.all()


HEALTH_MODULES = (HuaweiHealth(), H3cHealth(), RuijieHealth(), ZteHealth())
# SoT platform → health module (the Prometheus config generator makes one job per module).
HEALTH_MODULE_BY_PLATFORM = {"huawei": "huawei", "huawei_vrpv8": "huawei", "hp_comware": "h3c",
                             "ruijie_os": "ruijie", "zte_zxros": "zte"}
