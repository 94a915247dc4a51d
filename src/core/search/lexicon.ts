/**
 * Word lists the analyzer uses: stop words (including the words questions are made of),
 * demonyms and other adjective forms that should reach a country or region, and widely used
 * long forms with their acronyms. Articles add their own acronyms ("... (ASEAN)") on top.
 *
 * All keys are normalized words (lowercase, no diacritics), before stemming.
 */

/** Function words and question words that carry no topic. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are aren arent as at be because been before being below
between both but by can cannot cant could couldn couldnt did didn didnt do does doesn doesnt doing don dont down during
each either else ever every few for from further had hadn hadnt has hasn hasnt have haven havent having he her here
hers herself him himself his how however i if in into is isn isnt it its itself just let lets me might mightn more most
much must mustn my myself no nor not now of off on once only or other others otherwise our ours ourselves out over own
please quite rather really same shall shan she should shouldn shouldnt so some such than that thats the their theirs
them themselves then there these they this those though through thus to too under until up upon us very via was wasn
wasnt we were weren werent what whats when whenever where whereas wherever whether which while who whoever whom whose
why will with within without won wont would wouldn wouldnt yet you your yours yourself yourselves
tell explain describe give show list anything something someone somebody kind sort
may s t d ll m re ve`.split(/\s+/),
);

/**
 * Stop words that are kept when written in capitals in running text, because they are then
 * acronyms: `US`, `IT`, `WHO`.
 */
export const ACRONYM_STOP_WORDS: ReadonlySet<string> = new Set(['us', 'it', 'who']);

/**
 * Adjective, demonym and short forms that should also reach the place they name. The value
 * is the canonical place word (or acronym) that is added as an alias term.
 */
export const DEMONYMS: Readonly<Record<string, string>> = {
  american: 'us',
  americans: 'us',
  america: 'us',
  usa: 'us',
  chinese: 'china',
  beijing: 'china',
  russian: 'russia',
  russians: 'russia',
  moscow: 'russia',
  kremlin: 'russia',
  european: 'europe',
  europeans: 'europe',
  eu: 'europe',
  brussels: 'eu',
  kyrgyz: 'kyrgyzstan',
  kyrgyzstani: 'kyrgyzstan',
  kazakh: 'kazakhstan',
  kazakhstani: 'kazakhstan',
  uzbek: 'uzbekistan',
  uzbekistani: 'uzbekistan',
  tajik: 'tajikistan',
  tajikistani: 'tajikistan',
  turkmen: 'turkmenistan',
  afghan: 'afghanistan',
  pakistani: 'pakistan',
  indian: 'india',
  iranian: 'iran',
  iraqi: 'iraq',
  syrian: 'syria',
  israeli: 'israel',
  palestinian: 'palestine',
  saudi: 'saudi arabia',
  emirati: 'uae',
  qatari: 'qatar',
  turkish: 'turkey',
  turk: 'turkey',
  turkiye: 'turkey',
  georgian: 'georgia',
  armenian: 'armenia',
  azerbaijani: 'azerbaijan',
  azeri: 'azerbaijan',
  ukrainian: 'ukraine',
  belarusian: 'belarus',
  polish: 'poland',
  german: 'germany',
  germans: 'germany',
  berlin: 'germany',
  french: 'france',
  paris: 'france',
  british: 'uk',
  britain: 'uk',
  english: 'england',
  italian: 'italy',
  spanish: 'spain',
  dutch: 'netherlands',
  swedish: 'sweden',
  norwegian: 'norway',
  finnish: 'finland',
  danish: 'denmark',
  hungarian: 'hungary',
  greek: 'greece',
  japanese: 'japan',
  tokyo: 'japan',
  korean: 'korea',
  koreans: 'korea',
  taiwanese: 'taiwan',
  mongolian: 'mongolia',
  vietnamese: 'vietnam',
  thai: 'thailand',
  malaysian: 'malaysia',
  malaysians: 'malaysia',
  indonesian: 'indonesia',
  indonesians: 'indonesia',
  filipino: 'philippines',
  philippine: 'philippines',
  singaporean: 'singapore',
  cambodian: 'cambodia',
  laotian: 'laos',
  burmese: 'myanmar',
  australian: 'australia',
  canadian: 'canada',
  mexican: 'mexico',
  brazilian: 'brazil',
  argentine: 'argentina',
  argentinian: 'argentina',
  egyptian: 'egypt',
  nigerian: 'nigeria',
  african: 'africa',
  asian: 'asia',
  asians: 'asia',
  arab: 'arabia',
  arabic: 'arabia',
  western: 'west',
  westerners: 'west',
  eastern: 'east',
};

/** Long forms in common use and their acronyms (articles add their own definitions). */
export const COMMON_ACRONYMS: Readonly<Record<string, string>> = {
  'united states': 'us',
  'united states of america': 'us',
  'european union': 'eu',
  'united kingdom': 'uk',
  'united nations': 'un',
  'united arab emirates': 'uae',
  "people's republic of china": 'prc',
  'chinese communist party': 'ccp',
  'communist party of china': 'cpc',
  'association of southeast asian nations': 'asean',
  'shanghai cooperation organisation': 'sco',
  'shanghai cooperation organization': 'sco',
  'north atlantic treaty organization': 'nato',
  'collective security treaty organization': 'csto',
  'eurasian economic union': 'eaeu',
  'gulf cooperation council': 'gcc',
  'belt and road initiative': 'bri',
  'world trade organization': 'wto',
  'international monetary fund': 'imf',
  'gross domestic product': 'gdp',
  'artificial intelligence': 'ai',
  'foreign direct investment': 'fdi',
  'free trade agreement': 'fta',
  'regional comprehensive economic partnership': 'rcep',
  'asia pacific economic cooperation': 'apec',
  'liquefied natural gas': 'lng',
};
