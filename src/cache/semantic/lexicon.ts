/**
 * Word lists behind the false-hit guards (guards.ts). Each list maps a surface form to a canonical token, so
 * that paraphrases ("bigger"/"larger", "星期一"/"周一") agree and real changes ("more"/"less") do not.
 */

const words = (list: string): string[] => list.split(/\s+/).filter((w) => w.length > 0);
const canonical = (groups: Record<string, string>): Map<string, string> => {
  const map = new Map<string, string>();
  for (const [token, list] of Object.entries(groups)) for (const w of words(list)) map.set(w, token);
  return map;
};

/** English function words and request fillers: they never count as content. */
export const EN_STOPWORDS = new Set(words(`
  a an the is are be being am do does doing done have has having
  i me my mine myself you your yours yourself we us our ours it its itself
  this that these those there here what which how of in on at by for with about as into through to
  and or but if then so too very just also really actually exactly quite
  can could would may might
  please kindly tell explain describe show give let help know want need like get got
  way ways method methods step steps any some thing things something anything one's
  hi hey hello thanks thank quick question
  possible possibly good correct right proper properly
  s t d ll ve re m
`));

/** Chinese function words and request fillers, removed before the residue characters are compared. */
export const ZH_STOPWORDS = words(`
  请问 请 问一下 一下 告诉我 告诉 我想知道 想知道 我想 我要 你知道 知道 可不可以 可以 能否 是否 怎么样 怎么 怎样 如何
  什么样 什么 哪些 哪个 哪种 有哪些 有什么 帮我 帮忙 麻烦 谢谢 介绍 讲讲 说说 讲一讲 解释 一点点
  的 了 吗 呢 吧 啊 呀 嘛 么 它 们 是 在 有 就 都 也 还 又 很 挺 得 地 着 过 个 该 要 想 会 能 这 那 此 其
  之 为 以 于 所 等 哦 嗯 呐 下 应 需 非常 比较 一般 到底 究竟 多少
`);

/** Compounds whose numeral characters are not numbers ("一下", "十分", "百度"). */
export const ZH_NOT_NUMERALS = words(`
  一下 一些 一起 一样 一直 一般 一定 一切 一旦 一边 一会儿 一会 一向 一致 统一 唯一 万一 千万 十分 百度 一点点 有点 一共
  一同 一律 一再 不一 一流 同一 一体 一方面 万物 万能 百科 一般来说 一时 一经 一味 逐一 之一 专一 一边 三思 一向
`);

export const EN_NEGATIONS = new Set(words(`
  not no never none nobody nothing neither nor nowhere without cannot cant dont doesnt didnt wont isnt arent wasnt
  werent shouldnt wouldnt couldnt havent hasnt hadnt mustnt neednt aint lack lacks lacking
`));

/** Chinese negations; longer forms first so "没有" counts once. A-not-A questions (是不是) are removed before. */
export const ZH_NEGATIONS = words('没有 不要 不用 不必 不是 不能 不会 无法 并非 毫不 不 没 别 非 无 未 莫 勿 否 甭');
/** Compounds that contain a negation character but do not negate. */
export const ZH_NOT_NEGATIONS = words('非常 无论 不论 不管 不过 不仅 不断 除非 是否 能否 可否 与否 无线 无人机 未来 否则 不久 莫名 非洲 是非 莫斯科 区别 别人 特别 分别 类别 性别 级别 告别 识别 差别 别墅 无聊 不少 不错');

export const EN_NUMBER_WORDS = new Map<string, number>([
  ['zero', 0], ['one', 1], ['two', 2], ['three', 3], ['four', 4], ['five', 5], ['six', 6], ['seven', 7], ['eight', 8],
  ['nine', 9], ['ten', 10], ['eleven', 11], ['twelve', 12], ['thirteen', 13], ['fourteen', 14], ['fifteen', 15],
  ['sixteen', 16], ['seventeen', 17], ['eighteen', 18], ['nineteen', 19], ['twenty', 20], ['thirty', 30], ['forty', 40],
  ['fifty', 50], ['sixty', 60], ['seventy', 70], ['eighty', 80], ['ninety', 90], ['dozen', 12], ['half', 0.5],
  ['twice', 2], ['double', 2], ['triple', 3], ['first', 1], ['second', 2], ['third', 3], ['fourth', 4], ['fifth', 5],
  ['sixth', 6], ['seventh', 7], ['eighth', 8], ['ninth', 9], ['tenth', 10], ['twelfth', 12], ['twentieth', 20],
]);
export const EN_NUMBER_SCALES = new Map<string, number>([['hundred', 100], ['thousand', 1e3], ['million', 1e6], ['billion', 1e9]]);
/** Vague quantities: "a few" and "three" must not match. */
export const VAGUE_QUANTITIES = new Map<string, string>([['few', 'few'], ['several', 'few'], ['couple', 'few'], ['几', 'few'], ['若干', 'few'], ['many', 'many'], ['much', 'many'], ['许多', 'many'], ['很多', 'many'], ['多个', 'many']]);

export const EN_DATES = canonical({
  today: 'today tonight now currently', tomorrow: 'tomorrow', yesterday: 'yesterday', ago: 'ago', future: 'later hence',
  mon: 'monday mon', tue: 'tuesday tue tues', wed: 'wednesday', thu: 'thursday thu thurs', fri: 'friday fri',
  sat: 'saturday', sun: 'sunday', weekend: 'weekend weekends',
  jan: 'january jan', feb: 'february feb', mar: 'march', apr: 'april apr', jun: 'june jun', jul: 'july jul',
  aug: 'august aug', sep: 'september sep sept', oct: 'october oct', nov: 'november nov', dec: 'december dec',
  morning: 'morning', afternoon: 'afternoon', evening: 'evening', night: 'night', noon: 'noon midday', midnight: 'midnight',
  am: 'am a.m', pm: 'pm p.m', daily: 'daily', weekly: 'weekly', monthly: 'monthly', yearly: 'yearly annually annual',
});
/** "this/next/last week" and friends: the modifier is the date. */
export const EN_DATE_MODIFIERS = canonical({ this: 'this current', next: 'next coming upcoming following', last: 'last previous past' });
export const EN_DATE_PERIODS = new Set(words('week month year weekend quarter season semester decade century'));

export const ZH_DATES = canonical({
  today: '今天 今日 现在 目前 当前 今晚 今早', tomorrow: '明天 明日 明晚 明早', yesterday: '昨天 昨日 昨晚', dayafter: '后天', daybefore: '前天',
  in3days: '大后天', ago3days: '大前天', thisyear: '今年 本年', nextyear: '明年', lastyear: '去年', yearbefore: '前年', yearafter: '后年',
  thisweek: '本周 这周 这星期 这个星期', nextweek: '下周 下星期 下个星期', lastweek: '上周 上星期 上个星期',
  thismonth: '本月 这个月', nextmonth: '下个月 下月', lastmonth: '上个月 上月', weekend: '周末',
  morning: '早上 上午 早晨', noon: '中午', afternoon: '下午', evening: '晚上 傍晚 夜里 夜晚', night: '凌晨 半夜 深夜',
  ago: '以前的 之前的', future: '以后的 之后的',
});
/** 周一/星期一/礼拜一 …; the day character follows one of these prefixes. */
export const ZH_WEEKDAY_PREFIXES = words('星期 礼拜 周');
export const ZH_WEEKDAY_DAYS = new Map<string, string>([['一', 'mon'], ['二', 'tue'], ['三', 'wed'], ['四', 'thu'], ['五', 'fri'], ['六', 'sat'], ['日', 'sun'], ['天', 'sun']]);

export const EN_UNITS = canonical({
  km: 'km kilometer kilometers kilometre kilometres', mile: 'mile miles mi', meter: 'meter meters metre metres',
  cm: 'cm centimeter centimeters centimetre centimetres', mm: 'mm millimeter millimeters', inch: 'inch inches',
  foot: 'foot feet ft', kg: 'kg kilogram kilograms kilo kilos', gram: 'gram grams', lb: 'lb lbs pound pounds',
  ounce: 'ounce ounces oz', liter: 'liter liters litre litres', ml: 'ml milliliter milliliters', gallon: 'gallon gallons',
  celsius: 'celsius °c', fahrenheit: 'fahrenheit °f', usd: 'usd dollar dollars $', eur: 'eur euro euros €',
  gbp: 'gbp £', cny: 'cny rmb yuan ¥', jpy: 'jpy yen', percent: 'percent percentage %', gb: 'gb gigabyte gigabytes',
  mb: 'mb megabyte megabytes', tb: 'tb terabyte terabytes', kb: 'kb kilobyte kilobytes', hour: 'hour hours hr hrs',
  minute: 'minute minutes min mins', second: 'seconds sec secs', day: 'day days', week: 'week weeks',
  month: 'month months', year: 'year years', calorie: 'calorie calories kcal', watt: 'watt watts', volt: 'volt volts',
});
/** Units that are ordinary words or letters unless a number comes right before them. */
export const EN_UNITS_AFTER_NUMBER_ONLY = new Set(words('m g h s in mi min second day days week weeks month months year years hour hours'));
export const ZH_UNITS = canonical({
  km: '公里 千米', mile: '英里', meter: '米', cm: '厘米 公分', mm: '毫米', kg: '公斤 千克', gram: '克', jin: '斤', lb: '磅',
  liter: '升 公升', ml: '毫升', celsius: '摄氏度 度', fahrenheit: '华氏度', usd: '美元 美金', eur: '欧元', gbp: '英镑',
  jpy: '日元', cny: '元 块 人民币 块钱', percent: '%', hour: '小时 个小时 钟头', minute: '分钟', second: '秒 秒钟',
  day: '天 日', week: '周 个星期 个礼拜', month: '月', months: '个月', year: '年', age: '岁', oclock: '点 点钟 时', people: '人 位',
  floor: '楼 层', page: '页', times: '次 遍 倍', dateday: '号',
});
/** Chinese unit words that stand alone ("公里" in "多少公里"); the others only count after a numeral. */
export const ZH_UNITS_STANDALONE = words('公里 千米 英里 厘米 公分 毫米 公斤 千克 毫升 摄氏度 华氏度 美元 美金 欧元 英镑 日元 人民币 小时 分钟');

export const EN_COMPARISONS = canonical({
  gt: 'more greater larger bigger higher above over exceed exceeds exceeding beyond plus', lt: 'less fewer smaller lower below under beneath minus',
  before: 'before prior earlier', after: 'after afterwards', max: 'most maximum max largest biggest highest', min: 'least minimum min smallest lowest fewest',
  best: 'best', worst: 'worst', better: 'better', worse: 'worse', all: 'all every each always', equal: 'equal same identical', differ: 'different differ difference',
  from: 'from', vs: 'vs versus', between: 'between', only: 'only', except: 'except excluding besides', including: 'including include includes',
  must: 'must', should: 'should ought',
});
export const ZH_COMPARISONS = canonical({
  gt: '大于 多于 高于 超过 以上 超出 更多 更大 更高 多过', lt: '小于 少于 低于 不足 不到 以下 更少 更小 更低', before: '之前 以前 早于 前面', after: '之后 以后 晚于 后面',
  max: '最大 最多 最高 最长 最远', min: '最小 最少 最低 最短 最近', best: '最好 最佳 最优', worst: '最差 最坏', better: '更好', worse: '更差 更坏',
  all: '所有 全部 每个 每 都是 总是', equal: '等于 相同 一样', differ: '不同 区别 差别 差异', from: '从 自', only: '只 仅 只有 仅仅', except: '除了 除 以外 之外', vs: '对比 相比 比较',
  must: '必须 务必 必需 一定要', should: '应该 应当',
});

/** Third-person pronouns change who is asked about ("for him" / "for her"); I and you are interchangeable in queries. */
export const EN_PRONOUNS = canonical({ he: 'he him his himself', she: 'she her hers herself', they: 'they them their theirs themselves' });
export const ZH_PRONOUNS = canonical({ he: '他', she: '她', they: '他们 她们' });
/** First and second person: not content, but their order counts ("他是我的老板" / "我是他的老板"). */
export const ZH_PERSONS = canonical({ me: '我 我们', you: '你 您 你们' });

/** Tense markers: "Who is …" / "Who was …", "Will it rain" / "Did it rain". */
export const EN_TENSES = canonical({ past: 'was were did had been', future: 'will shall gonna' });
export const ZH_TENSES = canonical({ past: '已经 曾经 曾 刚才 刚刚', future: '将要 即将 将会 将' });

export const EN_QUESTIONS = canonical({ why: 'why', when: 'when', where: 'where', who: 'who whom whose', whether: 'whether' });
export const ZH_QUESTIONS = canonical({ why: '为什么 为何 干嘛', when: '什么时候 何时 几时 多久', where: '哪里 哪儿 在哪 何处 哪', who: '谁' });

/** Words around which order matters: "USD to EUR" and "EUR to USD", "猫比狗" and "狗比猫". */
export const EN_ORDER_MARKERS = new Set(words('to from than into vs versus and or over before after between by against onto'));
export const ZH_ORDER_MARKERS = words('比 到 至 从 给 被 把 对 向 和 与 跟 及 或 还是 对比 相比');

/** A few synonyms, so the content guard does not reject the commonest rewordings. */
export const EN_SYNONYMS = canonical({
  buy: 'buy purchase', big: 'big large', small: 'small little tiny', start: 'start begin commence', end: 'end finish',
  fix: 'fix repair', car: 'car automobile', child: 'child kid children kids', photo: 'photo picture image pic',
  movie: 'movie film', fast: 'fast quick quickly rapid rapidly', use: 'use utilize utilise employ', remove: 'remove delete erase',
  choose: 'choose select pick', find: 'find locate', problem: 'problem issue', learn: 'learn study', cost: 'cost price',
  cheap: 'cheap inexpensive affordable', talk: 'talk speak', meaning: 'meaning mean definition define', error: 'error',
  recommend: 'recommend suggest', create: 'create make', laptop: 'laptop notebook', phone: 'phone smartphone mobile cellphone',
  reason: 'reason cause', step: 'step', happen: 'happen occur', job: 'job', doctor: 'doctor physician',
});
export const ZH_SYNONYMS = new Map<string, string>([
  ['计算机', '电脑'], ['手机', '手机'], ['移动电话', '手机'], ['价钱', '价格'], ['多少钱', '价格'], ['照片', '图片'], ['相片', '图片'],
  ['购买', '买'], ['删掉', '删除'], ['去掉', '删除'], ['修复', '修'], ['修理', '修'], ['开始', '开始'], ['启动', '开始'], ['原因', '原因'],
  ['缘故', '原因'], ['学习', '学'], ['推荐', '推荐'], ['建议', '推荐'], ['电影', '电影'], ['影片', '电影'], ['孩子', '孩子'], ['小孩', '孩子'],
  ['儿童', '孩子'], ['医生', '医生'], ['大夫', '医生'], ['汽车', '车'], ['车子', '车'], ['意思', '含义'], ['含义', '含义'], ['涵义', '含义'],
]);

/** CJK ideograph test shared by the feature extractor and the lexical embedder. */
export const isCjk = (ch: string): boolean => /[\u3400-\u9fff\uf900-\ufaff]/u.test(ch);
