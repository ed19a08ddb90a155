/**
 * Hand-written Chinese/English parallel prompts (each pair says the same thing), easy and hard mixed, for the
 * language-parity test of the router. None of these appear in the training data (there is no Chinese there).
 */
export const ZH_EN_PAIRS: ReadonlyArray<{ zh: string; en: string }> = [
  { zh: '你好', en: 'hi' },
  { zh: '谢谢你的帮助！', en: 'Thanks for your help!' },
  { zh: '法国的首都是哪里？', en: 'What is the capital of France?' },
  { zh: '今天天气怎么样？', en: 'How is the weather today?' },
  { zh: '给我讲一个关于猫的笑话。', en: 'Tell me a joke about cats.' },
  { zh: '把“早上好”翻译成英语。', en: 'Translate "good morning" into English.' },
  { zh: '3加5等于多少？', en: 'What is 3 plus 5?' },
  { zh: '写一首关于秋天的短诗。', en: 'Write a short poem about autumn.' },
  { zh: '推荐三本适合初学者的编程书。', en: 'Recommend three programming books for beginners.' },
  { zh: '证明根号2是无理数。', en: 'Prove that the square root of 2 is irrational.' },
  { zh: '证明存在无穷多个素数，并给出详细步骤。', en: 'Prove that there are infinitely many primes, and give detailed steps.' },
  {
    zh: '小明有12个苹果，他给了小红三分之一，又吃了2个，然后买了比剩下数量多一倍的苹果。他现在有多少个苹果？',
    en: 'Xiao Ming has 12 apples. He gives a third of them to Xiao Hong, eats 2, and then buys twice as many apples as he has left. How many apples does he have now?',
  },
  { zh: '求函数 f(x) = x^3 - 6x^2 + 9x + 1 的所有极值点，并判断它们是极大值还是极小值。', en: 'Find all extrema of the function f(x) = x^3 - 6x^2 + 9x + 1 and decide whether each is a maximum or a minimum.' },
  { zh: '计算定积分 ∫_0^π x sin(x) dx，写出每一步。', en: 'Compute the definite integral ∫_0^π x sin(x) dx, showing every step.' },
  {
    zh: '用 Python 实现一个线程安全的 LRU 缓存，支持 get 和 put 操作，时间复杂度都是 O(1)，并解释你的设计。',
    en: 'Implement a thread-safe LRU cache in Python that supports get and put in O(1) time, and explain your design.',
  },
  {
    zh: '请解释 Raft 共识算法中领导者选举和日志复制的过程，并分析网络分区时系统如何保证一致性。',
    en: 'Please explain leader election and log replication in the Raft consensus algorithm, and analyse how the system stays consistent during a network partition.',
  },
  {
    zh: '比较凯恩斯主义和货币主义对通货膨胀成因的解释，并结合2008年金融危机后的政策进行评价。',
    en: 'Compare the Keynesian and monetarist explanations of the causes of inflation, and evaluate them in light of the policies after the 2008 financial crisis.',
  },
  {
    zh: '下列哪一项是光合作用的产物？\nA. 二氧化碳\nB. 氧气\nC. 氮气\nD. 甲烷\n答案：',
    en: 'Which of the following is a product of photosynthesis?\nA. Carbon dioxide\nB. Oxygen\nC. Nitrogen\nD. Methane\nAnswer:',
  },
  {
    zh: '一个袋子里有3个红球和5个蓝球。不放回地随机抽取两个球，两个球颜色相同的概率是多少？请给出推导过程。',
    en: 'A bag holds 3 red balls and 5 blue balls. Two balls are drawn at random without replacement. What is the probability that both have the same colour? Show your derivation.',
  },
  {
    zh: '设计一个支持每秒百万次写入的分布式日志系统，说明分区策略、副本机制、故障恢复以及你会做出的权衡。',
    en: 'Design a distributed logging system that handles a million writes per second; describe the partitioning strategy, replication, failure recovery and the trade-offs you would make.',
  },
];
