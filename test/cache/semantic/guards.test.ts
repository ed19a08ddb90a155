import { describe, expect, it } from 'vitest';
import { guardsConflict } from '../../../src/cache/semantic/guards.js';

const conflict = (a: string, b: string) => guardsConflict(a, b);

describe('guardsConflict: paraphrases pass', () => {
  it.each([
    ['How do I reset my password?', 'What is the way to reset my password'],
    ["What's the weather like in Paris tomorrow?", 'How is the weather in Paris tomorrow?'],
    ['Give me twenty-five examples', 'Give me 25 examples'],
    ['Give me 3 examples', 'Give me ３ examples'],
    ['Is Rust bigger than Go?', 'Is Rust larger than Go?'],
    ['怎么做红烧肉', '红烧肉怎么做？'],
    ['推荐三本书', '推荐３本书'],
    ['推荐两本书', '推荐2本书'],
    ['百分之五十的人', '50%的人'],
    ['这个是不是真的', '这个是真的吗'],
    ['北京星期一天气怎么样', '北京周一天气如何'],
    ['请用Python读取文件', '怎么用Python读取文件'],
  ])('%s | %s', (a, b) => {
    expect(conflict(a, b)).toBeUndefined();
  });
});

describe('guardsConflict: near-misses are refused with a reason', () => {
  it.each([
    ['negation', 'Is it safe to drink tap water in Paris?', 'Is it not safe to drink tap water in Paris?'],
    ['negation', 'Can I take aspirin with alcohol?', "Why can't I take aspirin with alcohol?"],
    ['negation', 'Can I pay with a card?', 'Can I pay without a card?'],
    ['negation', '孕妇可以吃螃蟹吗', '孕妇不可以吃螃蟹吗'],
    ['negation', '发烧可以去上班吗', '没有发烧可以去上班吗'],
    ['negation', '约张伟明天开会', '别约张伟明天开会'],
    ['number', 'Give me 3 examples of irony', 'Give me 5 examples of irony'],
    ['number', 'Give me three examples of irony', 'Give me four examples of irony'],
    ['number', 'What is 15% of 80?', 'What is 15% of ８５?'],
    ['number', '推荐三本书', '推荐两本书'],
    ['number', '一万元存一年利息多少', '两万元存一年利息多少'],
    ['number', '列出前十个质数', '列出前二十个质数'],
    ['number', '用3句话总结', '用４句话总结'],
    ['date', 'Flights from Boston to Denver tomorrow', 'Flights from Boston to Denver today'],
    ['date', 'Is the bank open next week?', 'Is the bank open this week?'],
    ['date', 'Set an alarm for 7 am', 'Set an alarm for 7 pm'],
    ['date', '明天北京天气怎么样', '今天北京天气怎么样'],
    ['date', '下周开会吗', '上周开会吗'],
    ['date', '定一个早上7点的闹钟', '定一个晚上7点的闹钟'],
    ['entity', 'Who is the CEO of Apple?', 'Who is the CEO of Google?'],
    ['entity', 'How do I use `map` in Python?', 'How do I use `filter` in Python?'],
    ['entity', 'What does os.path.join do?', 'What does os.path.split do?'],
    ['entity', 'Translate "good morning" into French', 'Translate "good night" into French'],
    ['entity', '《红楼梦》的作者是谁', '《西游记》的作者是谁'],
    ['content', '张伟的电话是多少', '王芳的电话是多少'],
    ['content', 'What is the function of money?', 'What is the function of rain?'],
    ['content', '怎么打开深色模式', '怎么关闭深色模式'],
    ['unit', 'Weather in Paris in celsius', 'Weather in Paris in fahrenheit'],
    ['unit', 'How far is 5 km?', 'How far is 5 miles?'],
    ['unit', '5公斤是多少', '5磅是多少'],
    ['unit', '等3天', '等3个月'],
    ['comparison', 'Is 5 km more than 3 miles?', 'Is 5 km less than 3 miles?'],
    ['comparison', 'Take it before meals', 'Take it after meals'],
    ['comparison', 'Transfer $50 to my savings', 'Transfer $50 from my savings'],
    ['comparison', '大于10的偶数', '小于10的偶数'],
    ['comparison', '最大的行星是哪个', '最小的行星是哪个'],
    ['question', 'Why did the Roman Empire fall?', 'When did the Roman Empire fall?'],
    ['question', '罗马帝国为什么灭亡', '罗马帝国什么时候灭亡'],
    ['order', 'Convert 100 USD to EUR', 'Convert 100 EUR to USD'],
    ['order', 'Is a cat bigger than a dog?', 'Is a dog bigger than a cat?'],
    ['order', '猫比狗聪明吗', '狗比猫聪明吗'],
    ['order', '北京到上海的高铁', '上海到北京的高铁'],
    ['order', '讲个故事', '讲个事故'],
    ['order', '这个会议重要吗', '这个议会重要吗'],
    ['order', '他是我的老板吗', '我是他的老板吗'],
    ['pronoun', 'Is it legal for him to vote?', 'Is it legal for her to vote?'],
    ['tense', 'Who is the president of France?', 'Who was the president of France?'],
    ['tense', 'Will it rain in Paris?', 'Did it rain in Paris?'],
    ['comparison', 'Can I park here?', 'Must I park here?'],
    ['content', 'Explain it simply', 'Explain it in detail'],
  ])('%s: %s | %s', (guard, a, b) => {
    expect(conflict(a, b)).toMatch(new RegExp(`^${guard}:`));
    expect(conflict(b, a)).toMatch(new RegExp(`^${guard}:`));
  });
});

describe('guardsConflict on conversations', () => {
  const conv = (system: string, ...texts: string[]) => ({ system, messages: texts.map((text, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', text })) });

  it('refuses a different system prompt or earlier turn, even with the same last message', () => {
    expect(guardsConflict(conv('You are a poet.', 'Describe the sea'), conv('You are a technical writer.', 'Describe the sea'))).toMatch(/^context/);
    expect(guardsConflict(conv('', 'I am vegetarian.', 'Noted.', 'Suggest a dinner'), conv('', 'I eat anything.', 'Noted.', 'Suggest a dinner'))).toMatch(/^context/);
    expect(guardsConflict(conv('', 'Hi', 'Hello!', 'Suggest a dinner'), conv('', 'Hi', 'Hello!!', 'Suggest a dinner'))).toMatch(/^context/);
  });

  it('accepts the same context with whitespace or width differences', () => {
    expect(guardsConflict(conv('You are  helpful.', 'How do I boil an egg?'), conv('You are helpful. ', "What's the way to boil an egg?"))).toBeUndefined();
  });
});
