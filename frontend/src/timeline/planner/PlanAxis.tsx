// The plan on a time axis: the operation's days and hours across the top (its zone, and
// the viewer's alongside), the phases as bands, then a row per agency and place with its
// control windows as bars. Every bar is a button named for what it is; the sheet scrolls
// sideways with the rows' names kept in view, zooms to a day, a week or the whole operation.
import { ActionIcon, Badge, Button, Group, Text, Title, VisuallyHidden } from "@mantine/core";
import { useElementSize, useMediaQuery } from "@mantine/hooks";
import { useLayoutEffect, useMemo, useRef, useState, type CSSProperties } from "react";
import { useTranslation } from "react-i18next";

import {
  dayAlignedRange,
  dayOf,
  daysBetween,
  HOUR,
  hourTicks,
  instantAtX,
  pxPerHourFor,
  shiftInstant,
  tickPlan,
  widthOf,
  xOf,
  ZOOMS,
  type Scale,
  type Zoom,
} from "./axis";
import { ChoiceButtons } from "./ChoiceButtons";
import {
  dayLabel,
  dayMonthLabel,
  rangeLabel,
  timeLabel,
  zoneAbbreviation,
  zoneAbbreviations,
} from "./labels";
import { windowName, type NameContext } from "./names";
import type { Plan, PlanRow, PlanWindow } from "./plan";
import classes from "./Planner.module.css";

const LANE = 34;
const ROW_PAD = 5;

export interface AxisProps {
  plan: Plan;
  zone: string;
  viewerZone: string;
  locale: string;
  span: { start: string; end: string };
  nameContext: NameContext;
  canEdit: boolean;
  onOpen: (window: PlanWindow) => void;
  onAdd: (row: PlanRow | null) => void;
  /** A row's name, shared with the list: "CR-CUSTOMS at MROC". */
  rowName: (row: PlanRow) => string;
}

export function PlanAxis(props: AxisProps) {
  const { plan, zone, viewerZone, locale, span } = props;
  const { t } = useTranslation("timeline.planner");
  const phone = useMediaQuery("(max-width: 48em)") ?? false;
  const header = phone ? 118 : 210;
  const { ref: sizeRef, width } = useElementSize<HTMLDivElement>();
  const scroller = useRef<HTMLDivElement | null>(null);
  const [zoom, setZoom] = useState<Zoom>("week");
  const centre = useRef<number | null>(null);

  // The axis runs over whole local days, a day either side of the operation's span.
  const range = useMemo(() => {
    const aligned = dayAlignedRange(Date.parse(span.start), Date.parse(span.end), zone);
    return {
      start: shiftInstant(aligned.start, zone, { days: -1 }),
      end: shiftInstant(aligned.end, zone, { days: 1 }),
    };
  }, [span.start, span.end, zone]);
  const viewport = Math.max((width || 900) - header, 120);
  const pxPerHour = pxPerHourFor(zoom, viewport, {
    start: Date.parse(span.start),
    end: Date.parse(span.end),
  });
  const scale: Scale = { start: range.start.getTime(), end: range.end.getTime(), pxPerHour };
  const trackWidth = Math.ceil(widthOf(range.start, range.end, scale));
  const plan_ = tickPlan(pxPerHour);

  const days = useMemo(() => daysBetween(range.start, range.end, zone), [range, zone]);
  const ticks = useMemo(
    () => (plan_.hourStep ? hourTicks(range.start, range.end, zone, plan_.hourStep) : []),
    [range, zone, plan_.hourStep],
  );
  const viewerTicks = useMemo(() => {
    if (viewerZone === zone) return [];
    if (plan_.hourStep) return hourTicks(range.start, range.end, viewerZone, plan_.hourStep);
    return daysBetween(range.start, range.end, viewerZone).map((day) => ({
      instant: day.start,
      wall: { ...day.date, hour: 0, minute: 0 },
      dayStart: true,
      repeated: false,
    }));
  }, [range, zone, viewerZone, plan_.hourStep]);

  const now = Date.now();
  const spanStart = Date.parse(span.start);
  const spanEnd = Date.parse(span.end);

  // Where the sheet opens: now, if the operation is under way, else its start.
  const opened = useRef(false);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || !width) return;
    if (!opened.current) {
      opened.current = true;
      const target = now >= spanStart && now <= spanEnd ? now - 2 * HOUR : spanStart - 2 * HOUR;
      element.scrollLeft = Math.max(0, xOf(target, scale));
      return;
    }
    if (centre.current !== null) {
      element.scrollLeft = Math.max(0, xOf(centre.current, scale) - viewport / 2);
      centre.current = null;
    }
    // Only a change of scale moves the sheet.
  }, [pxPerHour, width > 0]);

  const leftInstant = () => instantAtX(scroller.current?.scrollLeft ?? 0, scale);
  const scrollTo = (instant: number) => {
    scroller.current?.scrollTo({ left: Math.max(0, xOf(instant, scale)) });
  };
  const step = (direction: 1 | -1) => {
    if (zoom === "operation") {
      scroller.current?.scrollBy({ left: direction * viewport * 0.9 });
      return;
    }
    const base = dayOf(leftInstant() + 60_000, zone).start;
    scrollTo(shiftInstant(base, zone, { days: direction * (zoom === "day" ? 1 : 7) }).getTime());
  };
  const changeZoom = (value: Zoom) => {
    const element = scroller.current;
    if (element) centre.current = instantAtX(element.scrollLeft + viewport / 2, scale);
    setZoom(value);
  };

  // "GMT+1 → GMT+2" when the clocks change during the operation.
  const abbreviation = zoneAbbreviations(spanStart, spanEnd, zone, locale);
  const viewerAbbreviation = zoneAbbreviations(spanStart, spanEnd, viewerZone, locale);
  const sheetStyle = {
    width: header + trackWidth,
    "--planner-header-width": `${header + 8}px`,
  } as CSSProperties;
  const headerStyle: CSSProperties = { width: header };

  return (
    <div>
      <Group gap="sm" mb="xs" wrap="wrap">
        <ChoiceButtons
          label={t("zoom.label")}
          value={zoom}
          onChange={changeZoom}
          options={ZOOMS.map((value) => ({ value, label: t(`zoom.${value}`) }))}
        />
        <Group gap={4}>
          <Button variant="default" size="sm" onClick={() => step(-1)}>
            {t("scroll.earlier")}
          </Button>
          <Button variant="default" size="sm" onClick={() => step(1)}>
            {t("scroll.later")}
          </Button>
          {now >= range.start.getTime() && now <= range.end.getTime() ? (
            <Button variant="subtle" size="sm" onClick={() => scrollTo(now - 2 * HOUR)}>
              {t("scroll.now")}
            </Button>
          ) : (
            <Button variant="subtle" size="sm" onClick={() => scrollTo(spanStart - 2 * HOUR)}>
              {t("scroll.start")}
            </Button>
          )}
        </Group>
      </Group>
      <Text size="sm" c="gray.7" mb="xs">
        {t("axis.zones", { zone, abbreviation })}{" "}
        {viewerZone === zone
          ? t("axis.sameZone")
          : t("axis.viewerZone", { zone: viewerZone, abbreviation: viewerAbbreviation })}
      </Text>
      <div
        ref={(element) => {
          scroller.current = element;
          sizeRef(element);
        }}
        className={classes.scroller}
        role="region"
        aria-label={t("axis.region")}
        tabIndex={0}
      >
        <div className={classes.sheet} style={sheetStyle}>
          {/* Lines, shading outside the span and "now", behind the rows. */}
          <div className={classes.grid} style={{ left: header, width: trackWidth }} aria-hidden>
            <div
              className={classes.outside}
              style={{ left: 0, width: Math.max(0, xOf(spanStart, scale)) }}
            />
            <div
              className={classes.outside}
              style={{
                left: xOf(spanEnd, scale),
                width: Math.max(0, trackWidth - xOf(spanEnd, scale)),
              }}
            />
            {ticks
              .filter((tick) => !tick.dayStart)
              .map((tick) => (
                <div
                  key={tick.instant.getTime()}
                  className={classes.gridHour}
                  style={{ left: xOf(tick.instant, scale) }}
                />
              ))}
            {days.map((day) => (
              <div
                key={day.start.getTime()}
                className={classes.gridDay}
                style={{ left: xOf(day.start, scale) }}
              />
            ))}
            <div className={classes.spanEdge} style={{ left: xOf(spanStart, scale) }} />
            <div className={classes.spanEdge} style={{ left: xOf(spanEnd, scale) }} />
            {now >= scale.start && now <= scale.end && (
              <div className={classes.now} style={{ left: xOf(now, scale) }} />
            )}
          </div>

          {/* The scales: the operation's days and hours, then the viewer's. */}
          <div className={classes.axisRow} style={{ height: 26 }} aria-hidden>
            <div className={classes.axisHeader} style={headerStyle}>
              {abbreviation.includes("→")
                ? t("axis.operation")
                : phone
                  ? abbreviation
                  : t("axis.operationZone", { abbreviation })}
            </div>
            <div className={classes.track} style={{ width: trackWidth }}>
              {days.map((day, index) =>
                plan_.dayLabel === "sparse" && index % plan_.dayEvery !== 0 ? null : (
                  <div
                    key={day.start.getTime()}
                    className={`${classes.dayCell} ${day.hours !== 24 ? classes.dayCellChange : ""}`}
                    style={{
                      left: xOf(day.start, scale),
                      width:
                        widthOf(day.start, day.end, scale) *
                        (plan_.dayLabel === "sparse" ? plan_.dayEvery : 1),
                    }}
                    title={
                      day.hours !== 24 ? t("axis.clockChange", { hours: day.hours }) : undefined
                    }
                  >
                    <span className={classes.dayText}>
                      {dayLabel(
                        day.start,
                        zone,
                        locale,
                        plan_.dayLabel === "long" ? "long" : "short",
                      )}
                      {day.hours !== 24 && plan_.dayLabel === "long"
                        ? ` · ${t("axis.dayHours", { hours: day.hours })}`
                        : ""}
                    </span>
                  </div>
                ),
              )}
            </div>
          </div>
          {plan_.hourStep && (
            <div className={classes.axisRow} style={{ height: 22 }} aria-hidden>
              <div className={classes.axisHeader} style={headerStyle} />
              <div className={classes.track} style={{ width: trackWidth }}>
                {ticks.map((tick) => (
                  <span
                    key={tick.instant.getTime()}
                    className={classes.tick}
                    style={{ left: xOf(tick.instant, scale) }}
                  >
                    {/* An hour the clocks repeat says its offset, when there is room. */}
                    {!tick.repeated
                      ? timeLabel(tick.instant, zone, locale)
                      : pxPerHour >= 90
                        ? `${timeLabel(tick.instant, zone, locale)} ${zoneAbbreviation(tick.instant, zone, locale)}`
                        : ""}
                  </span>
                ))}
              </div>
            </div>
          )}
          {viewerZone !== zone && (
            <div className={classes.axisRow} style={{ height: 22 }} aria-hidden>
              <div className={classes.axisHeader} style={headerStyle}>
                {viewerAbbreviation.includes("→")
                  ? t("axis.you")
                  : phone
                    ? viewerAbbreviation
                    : t("axis.yourZone", { abbreviation: viewerAbbreviation })}
              </div>
              <div className={classes.track} style={{ width: trackWidth }}>
                {viewerTicks.map((tick) => (
                  <span
                    key={tick.instant.getTime()}
                    className={classes.viewerTick}
                    style={{ left: xOf(tick.instant, scale) }}
                  >
                    {tick.dayStart ? (
                      <strong>
                        {(plan_.hourStep ?? 24) * pxPerHour >= 64
                          ? dayMonthLabel(tick.instant, viewerZone, locale)
                          : dayLabel(tick.instant, viewerZone, locale, "short")}
                      </strong>
                    ) : (
                      timeLabel(tick.instant, viewerZone, locale)
                    )}
                  </span>
                ))}
              </div>
            </div>
          )}

          {/* Where the operation starts and ends, and now. */}
          <div className={classes.axisRow} style={{ height: 20 }} aria-hidden>
            <div className={classes.axisHeader} style={headerStyle} />
            <div className={classes.track} style={{ width: trackWidth }}>
              <span className={classes.marker} style={{ left: xOf(spanStart, scale) }}>
                {t("axis.start")}
              </span>
              <span
                className={`${classes.marker} ${classes.markerEnd}`}
                style={{ right: trackWidth - xOf(spanEnd, scale) }}
              >
                {t("axis.end")}
              </span>
              {now >= scale.start && now <= scale.end && (
                <span className={classes.nowLabel} style={{ left: xOf(now, scale) }}>
                  {t("axis.now")}
                </span>
              )}
            </div>
          </div>

          {/* The phases, then each agency's places. */}
          <AxisRow
            {...props}
            row={plan.phases}
            scale={scale}
            header={header}
            trackWidth={trackWidth}
          >
            <div className={classes.rowHeaderText}>
              <Title order={3} size="h6">
                {t("axis.phases")}
              </Title>
            </div>
          </AxisRow>
          {plan.groups.map((group) => (
            <div
              role="group"
              key={group.participation.id}
              aria-labelledby={`group-${group.participation.id}`}
            >
              <div className={classes.groupRow} style={{ width: header + trackWidth }}>
                <div className={classes.groupTitle}>
                  <Title order={3} size="h5" id={`group-${group.participation.id}`}>
                    {group.participation.agency.acronym}
                    <VisuallyHidden> · {group.participation.agency.name}</VisuallyHidden>
                  </Title>
                  <Text size="xs" c="gray.7" visibleFrom="sm" aria-hidden>
                    {group.participation.agency.name}
                  </Text>
                  {group.own && (
                    <Badge size="sm" variant="light" color="indigo">
                      {t("axis.yourAgency")}
                    </Badge>
                  )}
                  {group.participation.state === "INVITED" && (
                    <Badge size="sm" variant="outline" color="gray">
                      {t("axis.invited")}
                    </Badge>
                  )}
                </div>
              </div>
              {group.rows.map((row) => (
                <AxisRow
                  key={row.key}
                  {...props}
                  row={row}
                  scale={scale}
                  header={header}
                  trackWidth={trackWidth}
                  own={group.own}
                >
                  <div className={classes.rowHeaderText}>
                    <Text size="sm" fw={600} truncate title={row.locationCode ?? row.place}>
                      {row.locationCode ?? (row.place || t("axis.noPlace"))}
                    </Text>
                    {row.locationName && row.locationCode && (
                      <Text size="xs" c="gray.7" truncate title={row.locationName}>
                        {row.locationName}
                      </Text>
                    )}
                  </div>
                </AxisRow>
              ))}
            </div>
          ))}
        </div>
      </div>
      <Legend />
    </div>
  );
}

function AxisRow({
  row,
  scale,
  header,
  trackWidth,
  own = false,
  children,
  canEdit,
  onAdd,
  onOpen,
  nameContext,
  rowName,
  zone,
  viewerZone,
  locale,
}: AxisProps & {
  row: PlanRow;
  scale: Scale;
  header: number;
  trackWidth: number;
  own?: boolean;
  children: React.ReactNode;
}) {
  const { t } = useTranslation("timeline.planner");
  const height = row.laneCount * LANE + 2 * ROW_PAD;
  const phases = row.key === "phases";
  return (
    <div className={classes.row} style={{ height }}>
      <div className={classes.rowHeader} style={{ width: header }}>
        {children}
        {canEdit && !phases && (
          <ActionIcon
            variant="subtle"
            size="lg"
            aria-label={t("actions.addControlAt", { row: rowName(row) })}
            title={t("actions.addControlAt", { row: rowName(row) })}
            onClick={() => onAdd(row)}
          >
            <span aria-hidden style={{ fontSize: 20, lineHeight: 1 }}>
              +
            </span>
          </ActionIcon>
        )}
      </div>
      <div
        className={classes.track}
        style={{ width: trackWidth }}
        role="group"
        aria-label={phases ? t("axis.phases") : rowName(row)}
      >
        {row.windows.map((window, index) => {
          const left = xOf(Date.parse(window.startsAt), scale);
          const width = widthOf(Date.parse(window.startsAt), Date.parse(window.endsAt), scale);
          const name = windowName(t, window, nameContext);
          const overlapping = row.overlapping.has(window.id);
          const label = overlapping ? t("name.overlapping", { name }) : name;
          const kindClass = phases
            ? `${classes.phase} ${classes[window.kind]}`
            : own
              ? classes.controlOwn
              : classes.control;
          return (
            <button
              key={window.id}
              type="button"
              className={`${classes.bar} ${kindClass} ${overlapping ? classes.overlapping : ""}`}
              style={{
                left,
                width: Math.max(width, 8),
                top: ROW_PAD + row.lanes[index] * LANE + 2,
                height: LANE - 4,
              }}
              aria-label={label}
              title={barTitle(t, label, window, zone, viewerZone, locale)}
              onClick={() => onOpen(window)}
            >
              <span className={classes.barText}>
                {barText(t, window, width, phases, zone, locale)}
              </span>
            </button>
          );
        })}
      </div>
    </div>
  );
}

/** What a bar shows, always part of its accessible name: the kind of phase; for a control
 * window its times as the name says them when they fit, else its start. */
function barText(
  t: (key: string, options?: Record<string, unknown>) => string,
  window: PlanWindow,
  width: number,
  phase: boolean,
  zone: string,
  locale: string,
) {
  if (phase) return width < 70 ? "" : t(`kindsShort.${window.kind}`);
  const start = new Date(window.startsAt);
  const end = new Date(window.endsAt);
  if (width >= 230) return rangeLabel(start, end, zone, locale);
  if (width >= 48) return timeLabel(start, zone, locale);
  return "";
}

function barTitle(
  t: (key: string, options?: Record<string, unknown>) => string,
  name: string,
  window: PlanWindow,
  zone: string,
  viewerZone: string,
  locale: string,
) {
  if (viewerZone === zone) return name;
  const start = new Date(window.startsAt);
  const end = new Date(window.endsAt);
  return `${name}\n${t("yourTime", {
    range: `${dayLabel(start, viewerZone, locale)} ${timeLabel(start, viewerZone, locale)} – ${dayLabel(end, viewerZone, locale)} ${timeLabel(end, viewerZone, locale)}`,
  })}`;
}

function Legend() {
  const { t } = useTranslation("timeline.planner");
  const items: [string, string][] = [
    [`${classes.phase} ${classes.PLANNING}`, t("kinds.PLANNING")],
    [`${classes.phase} ${classes.BRIEFING}`, t("kinds.BRIEFING")],
    [`${classes.phase} ${classes.OPERATIONAL}`, t("kinds.OPERATIONAL")],
    [`${classes.phase} ${classes.FOLLOW_UP}`, t("kinds.FOLLOW_UP")],
    [classes.control, t("kinds.CONTROL")],
    [classes.controlOwn, t("legend.own")],
    [classes.outside, t("legend.outside")],
  ];
  return (
    <Group
      gap="md"
      mt="xs"
      component="ul"
      style={{ listStyle: "none", padding: 0 }}
      aria-label={t("legend.label")}
    >
      {items.map(([className, label]) => (
        <Group key={label} gap={6} component="li" wrap="nowrap">
          <span
            className={`${classes.swatch} ${className}`}
            style={{ position: "static" }}
            aria-hidden
          />
          <Text size="xs">{label}</Text>
        </Group>
      ))}
    </Group>
  );
}
