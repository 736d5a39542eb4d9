// The word lists of the blameless check. Kept as plain space-separated text so they read (and
// review) like lists; each is split once into a hash set of views into the literal.
#include <algorithm>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "bot/blameless/tokens.h"

namespace incident::blameless_detail {

namespace {

class WordSet {
 public:
  explicit WordSet(std::string_view words) {
    std::size_t i = 0;
    while (i < words.size()) {
      const std::size_t j = words.find_first_of(" \n", i);
      const std::size_t end = j == std::string_view::npos ? words.size() : j;
      if (end > i) words_.insert(words.substr(i, end - i));
      i = end + 1;
    }
  }
  bool has(std::string_view w) const { return words_.count(w) != 0; }

 private:
  std::unordered_set<std::string_view> words_;
};

// Common first names that are not also English words or tool names.
constexpr std::string_view kFirstNames =
    "aaron abby abigail adam adrian ahmed aisha alan albert alejandro alex alexander alexandra "
    "ali alice alicia alison allison amanda amelia amir amit amy ana ananya andre andrea andreas "
    "andrew andy angela anil anita anjali ann anna anne annie anthony anton antonio anya arjun "
    "arthur ashley asha avery ben benjamin beth bethany betty bob bobby brad bradley brandon "
    "brenda brian bruce bruno caleb cameron carl carla carlos carmen caroline carrie casey "
    "catherine charles charlie charlotte chen chloe chris christina christine christopher cindy "
    "claire clara claudia colin connor craig cristina cynthia dan dana daniel daniela danielle "
    "danny daria dave david debbie deborah deepak denise dennis derek devon diana diane diego "
    "dmitri dmitry dominic donna doug douglas dylan eddie edward elena eli elijah elizabeth ella "
    "ellen emily emma eric erica erik erin ethan eva evan fatima felix fernando fiona francesca "
    "francisco fred gabriel gabriela gary george gina giulia greg gregory hamid hannah hans harold "
    "hassan heather heidi helen henry hiroshi ian igor ingrid irene isaac isabel isabella ivan "
    "jacob james jamie jane janet jared jason javier jeff jeffrey jen jenna jennifer jenny jeremy "
    "jerry jess jessica jill jimmy joan joe joel john johnny jon jonathan jordan jorge jose joseph "
    "josh joshua juan judy julian julie justin kai karen karl kate katherine kathy katie kayla "
    "keith kelly ken kenji kevin kim kyle lars laura lauren leah lena leo leon leonardo liam "
    "linda lisa liz logan lorenzo lucas lucia lucy luis luke lukas magnus mallory manuel marc "
    "marco marcus maria mariana marie marina mario martin mary mateo matt matteo matthew maya "
    "megan melissa mia michael michelle miguel mike mila mohamed mohammed monica morgan nadia "
    "nancy naomi natalia natalie nathan neha neil nicholas nicole nikhil nikita nina noah nora "
    "olga oliver olivia omar oscar owen pablo paolo patricia patrick paul paula pedro peggy peter "
    "pete philip pierre pooja priya quinn rachel rafael rahul raj rajesh ravi rebecca ricardo "
    "richard rick riley rita robert roberto roger rohan ron ronald rosa ryan sabrina sally sam "
    "samantha samuel sandra sanjay sara sarah sasha satoshi scott sean sebastian sergei sergey "
    "shane sharon simon sofia sophia sophie stefan stephanie stephen steve steven sunil susan "
    "sven taylor teresa thomas tim timothy tina tobias todd tom tommy tony tracy trent tyler "
    "valentina vanessa vera vikram vincent vivek walter wei wendy william yuki yusuf zach zachary "
    "zoe zara jake nate zack kurt troy wayne gavin seth tanner blake cody dustin kelsey lindsey "
    "brittany courtney whitney tiffany stacy stacey kristen kirsten shannon colleen maureen "
    "kathleen eileen bridget siobhan niamh aoife ciara sinead declan conor cian eoin fergus angus "
    "hamish callum ewan euan iain alistair rhys gareth dafydd owain cerys ffion gemma kerry jodie "
    "darren barry terry trevor nigel clive graham stuart ross fraser steph becky becca rebekah "
    "katy kath ollie alfie archie freddie harvey toby theo jasper rupert hugh giles jules remy "
    "rosie millie evie isla imogen phoebe harriet matilda esme edith mabel thiago joao mateus "
    "gustavo rafaela camila valeria ximena santiago alejandra andres pilar ines marta agnieszka "
    "katarzyna piotr tomasz jakub krzysztof pavel petr jiri ondrej mikkel anders bjorn nils "
    "astrid freya emil oskar aarav vihaan aditya rohit ankit sandeep sunita divya deepika kavya "
    "shreya pranav karthik venkat srinivas lakshmi meera ritu swati arun ashok manish harish "
    "girish suresh ramesh rakesh mahesh ganesh naveen praveen vijay ajay akash gaurav varun tarun "
    "kunal ishaan jing xiao ming hui yan lei hao liang feng tao jie ying mei ling haruto takeshi "
    "akira yui sakura hana sota daiki kenta shota taro yuto riku aiko minjun jiwoo seojun jiho "
    "hyun jisoo minji soyeon jae kwame kofi chinedu chioma ngozi oluwaseun tunde adebayo femi "
    "yemi thabo sipho lerato zanele amara kemi emeka ifeoma obinna nnamdi wanjiru otieno amani "
    "zuri abdi amina halima muhammad ahmad mahmoud khalid karim tariq youssef layla leila noor "
    "zainab mariam samir nabil rami rania emre mehmet ayse elif burak murat zeynep alexei "
    "aleksandr mikhail nikolai vladimir yuri andrei natasha svetlana tatiana irina ekaterina "
    "anastasia oksana olena taras bohdan meg kat jo pam gus ava harper evelyn scarlett aria luna "
    "penelope zoey aubrey lillian addison eleanor stella violet aurora savannah audrey bella "
    "skylar emilia kennedy aaliyah ariana gabriella madelyn cora adeline hailey gianna eliana "
    "sadie lydia josephine delilah vivian kaylee madeline jackson aiden wyatt jayden grayson levi "
    "jaxon lincoln theodore asher isaiah josiah hudson ezra landon nolan jeremiah easton elias "
    "colton carson maverick austin cooper brayden ezekiel xavier jace jameson bryson axel everett "
    "parker kayden sawyer "
    // Beyond English, in folded form (fold_name): "Jürgen" is "jurgen", "Nguyễn" is "nguyen".
    "jurgen jorg gunther soren francois francoise helene sebastien celeste noemie amelie anais "
    "aurelien clement elodie celine mathieu guillaume raphael gaelle loic yannick thibault "
    "klaus dieter wolfgang uwe thorsten jorgen stefanie katrin birgit anke heike silke ulrike "
    "frauke gudrun henrik kasper frederik mathias rasmus jesper mette sigrid bjarne oyvind "
    "asbjorn solveig ingeborg kjell torbjorn sindre eirik halvard "
    "wojciech malgorzata lukasz pawel zofia bartosz grzegorz jacek michal szymon przemyslaw "
    "radoslaw agata beata dorota vojtech zdenek ludmila bozena miroslav vaclav tomas jiri "
    "zoltan laszlo istvan gabor agnes eszter krisztina bence marton arpad "
    "bogdan ionut mihai andreea ioana radu dragos florin catalina ramona sorin gheorghe "
    "goran dragan milos nikola jelena marija ivana dejan zeljko branko "
    "chiara giorgio giuseppe alessandro alessia federica davide stefano riccardo simona "
    "ilker oguz cagla dilek fatih hakan serkan tolga volkan ozlem aylin gulsen cem "
    "nguyen tran pham hoang huong linh minh thanh quang ngoc phuong trang tuan khanh huy "
    "aigerim nursultan askar dinara timur rustam aliya madina "
    "thandiwe nomvula sibusiso themba chidi chiamaka uchenna nkechi adaeze oluwadamilare "
    "lior yael avi eitan shira oren itai noa "
    "greta laila henrike ayumi haruka kazuki yusuke naoki hyun-woo min-jun seo-yeon ji-woo "
    "dorian damian adrien fabian florian julien kieran lorcan tristan "
    "joaquin rodrigo gonzalo ignacio mauricio esteban leticia rocio guadalupe lucia";

// First names that are also words or tool names: names only when capitalised mid-sentence.
constexpr std::string_view kAmbiguousNames =
    "will may mark bill grant rob chase pat sue art max ray dawn rose jack frank grace hope faith "
    "joy june april summer page hunter victor eve sunny penny amber ivy jade ruby lily sky river "
    "august earl dean drew gene guy harry jay kit lane miles rich sandy ted wade woody buck cliff "
    "dale glen holly iris jean lee les mac nick skip stan van wes al don jan jun deb robin mason "
    "julia ada cassandra victoria hugo jasmine karma travis carol sid nat daisy paige stanley";

constexpr std::string_view kPersonNouns =
    "engineer engineers dev devs developer developers intern interns contractor contractors "
    "oncall on-call oncaller on-caller sre sres admin admins sysadmin sysadmins dba dbas guy guys "
    "dude person people folks colleague colleagues coworker coworkers co-worker teammate "
    "teammates team reviewer reviewers approver approvers responder responders commander "
    "manager managers lead newbie newbies junior juniors hire someone somebody anyone anybody "
    "everyone everybody nobody whoever human humans staff employee employees author owner "
    "boss lady man woman kid kids ppl peeps folk ops qa crew squad rookie rookies newcomer "
    "hires netops secops administrator administrators analyst analysts captain architect "
    "architects tester testers member members individual individuals contributor contributors "
    "ic ics assignee assignees requester submitter committer committers deployer deployers "
    "maintainer maintainers";

constexpr std::string_view kSystemNouns =
    "check checks healthcheck health-check job jobs cronjob cron service services svc deploy "
    "deployment deploys deployments release releases build builds alert alerts alarm alarms "
    "alerting script scripts pipeline pipelines config configs configuration database databases "
    "db dbs replica replicas primary cache caches disk disks node nodes pod pods container "
    "containers system systems monitor monitors monitoring server servers host hosts cluster "
    "clusters instance instances vm vms balancer lb proxy gateway api apis endpoint endpoints "
    "queue queues worker workers daemon process processes thread query queries migration "
    "migrations index indexes table tables schema network dns certificate cert certs tls ssl "
    "firewall router switch storage volume volumes bucket buckets backup backups snapshot "
    "runbook runbooks playbook dashboard dashboards pager rollout rollback canary test tests suite "
    "ci cd bot tool tools tooling automation scheduler controller operator agent sidecar ingress "
    "app apps application website site portal frontend backend client library dependency "
    "package image binary feature flag flags toggle rule rules policy limit limiter timeout retry "
    "retries probe webhook hook integration connection connections pool sync feed stream topic "
    "consumer producer broker cdn vault secret key token version patch update upgrade commit pr "
    "change changes code function handler parser validator linter compiler kernel memory cpu "
    "traffic request requests response latency error errors metric metrics log logs logger "
    "graph chart terraform ansible kubernetes k8s docker helm jenkins github gitlab redis postgres "
    "postgresql mysql kafka nginx haproxy envoy consul elasticsearch prometheus grafana pagerduty "
    "datadog sentry splunk cloudflare aws gcp azure s3 ec2 rds lambda sqs dynamodb mongo mongodb "
    "cassandra rabbitmq zookeeper etcd istio argo argocd spinnaker circleci buildkite opsgenie "
    "statuspage email mail smtp ldap sso okta auth login session checkout payments billing search "
    "cart platform infra infrastructure region zone datacenter hardware firmware nic ssd raid "
    "filesystem file files directory path mount timer quota capacity autoscaler shard shards "
    "partition batch edge origin mirror registry repo repository branch tag artifact env "
    "environment staging prod production cert-manager heartbeat watchdog leader election lock "
    "fix hotfix";

// Words that cannot head a subject noun phrase.
constexpr std::string_view kFunctionWords =
    "the a an this that these those of in on at by for with from to into onto over under about "
    "after before during since until up down out off is was were are be been being am has have "
    "had do does did will would shall should can could may might must and or but so if then than "
    "as not no there here some any all each every our my your his her their its what which who "
    "whom whose when where why how also just very too get got gets getting went gone going let "
    "lets let's please via per";

constexpr std::string_view kSkippable =
    "just also totally completely really simply apparently obviously clearly probably again once "
    "already never somehow literally basically actually seriously evidently definitely certainly "
    "likely must might may could would will 'll have has had 've did do does always often "
    "sometimes accidentally mistakenly unfortunately kinda even still now maybe prob def "
    "honestly entirely fully initially originally later finally eventually immediately quickly "
    "silently repeatedly intermittently occasionally consistently previously earlier yesterday "
    "today tonight not n't only jus jst";

constexpr std::string_view kDeterminers =
    "the a an this that these those our my your his her their its some any every each another "
    "no one";

constexpr std::string_view kClauseWords =
    "because cause 'cause cuz coz bc since when whenever while although though but so and or "
    "then after before until if unless once which whereas meanwhile also";

constexpr std::string_view kNegations =
    "not no never nobody noone no-one nothing without neither nor didn't didnt don't dont "
    "doesn't doesnt wasn't wasnt isn't isnt won't wont can't cant cannot couldn't couldnt "
    "shouldn't shouldnt wouldn't wouldnt aren't arent weren't werent hasn't hasnt haven't "
    "havent hadn't hadnt";

constexpr std::string_view kPersonPronouns =
    "he she they you him them u ya y'all yall someone somebody anyone anybody everyone everybody "
    "nobody whoever who he's she's they're you're he'd she'd they'd you'd he'll she'll they'll "
    "you'll they've you've ur";

constexpr std::string_view kFirstPersonPronouns =
    "i we me us i'm i've i'd i'll we're we've we'd we'll im ive";

constexpr std::string_view kThingPronouns = "it this that which it's that's it'd it'll this'll";

constexpr std::string_view kPersonPossessives = "his her their your my our hers yours theirs ur";

// Words ending in -ly that are not adverbs.
constexpr std::string_view kNotAdverbs =
    "apply reply supply anomaly assembly family ally rally bully italy only daily weekly monthly "
    "hourly nightly early";

bool ends_with(std::string_view w, std::string_view suffix) {
  return w.size() >= suffix.size() && w.substr(w.size() - suffix.size()) == suffix;
}

// One edit apart: a letter changed, added, dropped, or two neighbours swapped.
bool one_edit(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (i == a.size()) return b.size() == a.size() + 1;  // one letter added at the end
  if (a.size() == b.size()) {
    if (a.substr(i + 1) == b.substr(i + 1)) return true;  // changed
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.substr(i + 2) == b.substr(i + 2);  // swapped
  }
  return a.substr(i) == b.substr(i + 1);  // added or dropped
}

// Judging words often typed in a hurry ("carless", "incompetant", "negligant"); long enough that
// one edit away is not another word people use in incidents.
constexpr std::string_view kBlameWords[] = {
    "careless",  "carelessly",    "carelessness", "incompetent",   "incompetence",
    "negligent", "negligence",    "negligently",  "irresponsible", "unprofessional",
    "reckless",  "recklessly",    "clueless",     "sloppiness",    "stupidity",
    "idiotic",   "incompetently", "inexcusable",  "amateurish",    "lazy"};

}  // namespace

std::string_view corrected_blame_word(std::string_view w) {
  if (w.size() < 6) return {};
  for (std::string_view b : kBlameWords) {
    if (b.size() < 7 || w == b) continue;
    if (one_edit(w, b)) return b;
  }
  return {};
}

bool is_first_name(std::string_view w) {
  static const WordSet names(kFirstNames);
  return names.has(w) || is_ambiguous_name(w);
}

bool is_ambiguous_name(std::string_view w) {
  static const WordSet names(kAmbiguousNames);
  return names.has(w);
}

bool is_person_noun(std::string_view w) {
  static const WordSet nouns(kPersonNouns);
  return nouns.has(w);
}

bool is_system_noun(std::string_view w) {
  static const WordSet nouns(kSystemNouns);
  return nouns.has(w);
}

bool is_third_party(std::string_view w) {
  static constexpr std::string_view words[] = {
      "attacker",  "attackers",  "hacker",      "hackers",     "vendor",      "vendors",
      "customer",  "customers",  "researcher",  "researchers", "reporter",    "reporters",
      "bank",      "banks",      "rep",         "scammer",     "scammers",    "phisher",
      "adversary", "provider",   "providers",   "client",      "clients",     "user",
      "users",     "partner",    "partners",    "supplier",    "suppliers",   "registrar",
      "isp",       "journalist", "journalists", "maintainer",  "maintainers", "upstream",
      "processor", "processors", "carrier",     "carriers"};
  if (w.size() > 2 && w.substr(w.size() - 2) == "'s") w.remove_suffix(2);
  return std::find(std::begin(words), std::end(words), w) != std::end(words);
}

bool is_team_word(std::string_view w) {
  static constexpr std::string_view words[] = {"team",  "squad", "group", "crew",
                                               "folks", "devs",  "guild", "tribe"};
  return std::find(std::begin(words), std::end(words), w) != std::end(words);
}

bool is_function_word(std::string_view w) {
  static const WordSet words(kFunctionWords);
  return words.has(w);
}

bool is_skippable(std::string_view w) {
  static const WordSet words(kSkippable);
  static const WordSet not_adverbs(kNotAdverbs);
  return words.has(w) || (w.size() > 4 && ends_with(w, "ly") && !not_adverbs.has(w));
}

bool is_determiner(std::string_view w) {
  static const WordSet words(kDeterminers);
  return words.has(w);
}

bool is_clause_word(std::string_view w) {
  static const WordSet words(kClauseWords);
  return words.has(w);
}

bool is_negation(std::string_view w) {
  static const WordSet words(kNegations);
  return words.has(w) || ends_with(w, "n't");
}

Pronoun pronoun_kind(std::string_view w) {
  static const WordSet person(kPersonPronouns);
  static const WordSet first(kFirstPersonPronouns);
  static const WordSet thing(kThingPronouns);
  if (person.has(w)) return Pronoun::person;
  if (first.has(w)) return Pronoun::first_person;
  if (thing.has(w)) return Pronoun::thing;
  return Pronoun::none;
}

bool is_person_possessive(std::string_view w) {
  static const WordSet words(kPersonPossessives);
  return words.has(w);
}

}  // namespace incident::blameless_detail
