/* The date pickers in Chinese on a Chinese page, offline.
 * Dash's DatePickerSingle/Range format with date-fns and take the locale from window.dateFns.locale: the one
 * matching the browser's language, else the first one there. On a page whose <html lang> is Chinese (the
 * session's language, dashboard/app.py) this file puts a Chinese locale there and nothing else, so the
 * calendar's weekdays, months and labels are Chinese whatever the phone's own language; an English page
 * keeps date-fns' English. Only what formatting needs is here: dates are typed and parsed as numbers
 * (YYYY-MM-DD), so no word of a date is ever parsed (match answers no match). */
(function () {
    if (!/^zh/i.test(document.documentElement.lang || "")) {
        return;
    }
    const MONTHS = ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"];
    const DAYS = ["日", "一", "二", "三", "四", "五", "六"];
    const PERIODS = {am: "上午", pm: "下午", midnight: "午夜", noon: "中午", morning: "早上", afternoon: "下午",
                     evening: "晚上", night: "夜间"};
    const DATE = {full: "y'年'M'月'd'日' EEEE", long: "y'年'M'月'd'日'", medium: "yyyy-MM-dd", short: "yy/MM/dd"};
    const TIME = {full: "HH:mm:ss zzzz", long: "HH:mm:ss z", medium: "HH:mm:ss", short: "HH:mm"};

    function width(options) {
        return (options && options.width) || "wide";
    }

    function noMatch() {
        return null;
    }

    const zhCN = {
        code: "zh-CN",
        options: {weekStartsOn: 1, firstWeekContainsDate: 4},
        localize: {
            ordinalNumber: function (n) { return "第 " + Number(n); },
            era: function (n, options) { return Number(n) > 0 ? "公元" : "公元前"; },
            quarter: function (q) { return "第" + "一二三四".charAt(Math.max(0, Number(q) - 1)) + "季度"; },
            month: function (m, options) {
                const w = width(options);
                return w === "narrow" ? String(Number(m) + 1) : (w === "abbreviated" ? (Number(m) + 1) + "月" : MONTHS[m]);
            },
            day: function (d, options) {
                const w = width(options);
                return w === "narrow" || w === "short" ? DAYS[d] : (w === "abbreviated" ? "周" : "星期") + DAYS[d];
            },
            dayPeriod: function (p) { return PERIODS[p] || p; }
        },
        formatLong: {
            date: function (options) { return DATE[width(options) === "wide" ? "full" : width(options)] || DATE.medium; },
            time: function (options) { return TIME[width(options) === "wide" ? "full" : width(options)] || TIME.medium; },
            dateTime: function () { return "{{date}} {{time}}"; }
        },
        formatRelative: function () { return "P"; },
        formatDistance: function (token, count) { return String(count); },
        match: {
            ordinalNumber: noMatch, era: noMatch, quarter: noMatch, month: noMatch, day: noMatch, dayPeriod: noMatch
        }
    };
    const existing = window.dateFns || {};
    window.dateFns = Object.assign({}, existing, {locale: {zhCN: zhCN}});
})();
