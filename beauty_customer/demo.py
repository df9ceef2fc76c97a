# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Demo data: a two-store salon (丽颜美容) and its customer archive.

``load(scale)`` is called once by tools/demo.py, as root inside a
transaction. It sets up what the demo of the whole suite builds on: the CNY
currency, the two stores (companies) given to the administrator, their staff
(parties and company.employee), the service catalogue, the archive's lookup
lists, about 3000 customers (scale 1.0) and a year of consultations, care
records, plans and feedback. Deterministic (fixed seed), dates relative to
today, created in bulk.
"""
import datetime as dt
import random
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from .mobile import normalize_mobile

SEED = 20260101
# Records per create: the ORM's cost per call grows with the square of the
# number of records (browse checks every id), so not all at once
BATCH = 100
STORES = [
    # name, code of its party, street, city
    ("丽颜美容 旗舰店", 'MD01', "南京西路 1266 号恒隆广场 5 楼", "上海"),
    ("丽颜美容 万达店", 'MD02', "五角场万达广场 3 楼 326 室", "上海"),
    ]
# name, position, store index
STAFF = [
    ("林婉清", 'manager', 0), ("苏小蔓", 'frontdesk', 0),
    ("陈可欣", 'frontdesk', 0), ("赵雅琴", 'beautician', 0),
    ("周美玲", 'beautician', 0), ("吴佳慧", 'beautician', 0),
    ("郑晓燕", 'beautician', 0), ("黄诗雨", 'beautician', 0),
    ("何静怡", 'consultant', 0), ("钱丽华", 'accountant', 0),
    ("孙若兰", 'manager', 1), ("李梦琪", 'frontdesk', 1),
    ("王思彤", 'frontdesk', 1), ("刘芳菲", 'beautician', 1),
    ("杨雪晴", 'beautician', 1), ("许文静", 'beautician', 1),
    ("韩冰洁", 'beautician', 1), ("冯悦宁", 'consultant', 1),
    ]
# category: [(service, list price, minutes)]
SERVICES = {
    "面部护理": [
        ("深层清洁护理", 198), ("补水保湿护理", 298), ("美白焕颜护理", 398),
        ("抗衰紧致护理", 588), ("祛痘净肤护理", 328), ("敏感肌修护", 358),
        ("小气泡清洁", 168)],
    "身体护理": [
        ("肩颈舒缓按摩", 268), ("全身精油SPA", 598), ("背部排毒护理", 368),
        ("腹部塑形护理", 458), ("足部反射疗法", 198)],
    "眼部护理": [
        ("眼部抗皱护理", 258), ("黑眼圈淡化护理", 228), ("眼周提拉护理", 328)],
    "美甲美睫": [
        ("日式美甲", 168), ("手部护理", 98), ("嫁接睫毛", 298),
        ("睫毛角蛋白", 258)],
    "仪器项目": [
        ("光子嫩肤", 880), ("射频紧致", 1280), ("水光注射", 1680),
        ("超声刀提拉", 3980), ("冷光美白", 680)],
    }
SOURCES = ["朋友介绍", "美团", "大众点评", "抖音", "小红书", "自然到店",
    "老客推荐", "企业团购"]
SOURCE_WEIGHTS = [20, 18, 12, 12, 10, 14, 12, 2]
CONCERNS = ["色斑", "痘痘", "细纹", "缺水", "毛孔粗大", "泛红", "暗沉", "黑眼圈",
    "松弛"]
CONTRAINDICATIONS = [
    # name, blocks booking
    ("孕期", True), ("哺乳期", False), ("酒精过敏", False), ("果酸敏感", False),
    ("金属植入", True), ("心脏起搏器", True), ("近期医美", False),
    ("皮肤破损", True), ("高血压", False)]
TAGS = ["VIP", "敏感肌", "学生", "孕期", "老客户", "储值会员", "沉睡客户",
    "高消费", "新客"]
TEMPLATES = {
    # name: (area, [(question, answer type, options)])
    "面部皮肤问诊表": ('face', [
            ("平时使用哪些护肤品?", 'text', None),
            ("最想改善的皮肤问题", 'choice', "色斑/痘痘/细纹/缺水/毛孔粗大/暗沉"),
            ("最近是否经常熬夜?", 'yes_no', None),
            ("皮肤容易过敏吗?", 'yes_no', None),
            ("对目前皮肤状态打分", 'scale', None),
            ]),
    "身体健康问诊表": ('body', [
            ("是否怀孕或哺乳期?", 'yes_no', None),
            ("是否有高血压、心脏病等慢性病?", 'yes_no', None),
            ("身体哪些部位容易酸痛?", 'choice', "肩颈/腰背/腿部/无"),
            ("按摩力度偏好", 'choice', "轻/中/重"),
            ]),
    "眼部问诊表": ('eyes', [
            ("是否佩戴隐形眼镜?", 'yes_no', None),
            ("主要困扰", 'choice', "黑眼圈/眼袋/细纹/浮肿"),
            ("每天睡眠几个小时?", 'text', None),
            ]),
    }
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
    "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
FEMALE = (
    "丽娟静敏燕艳芳婷雪慧玲琳颖倩晶霞红梅莉洁佳欣怡悦思雨晓诗涵萱琪瑶蕾薇月萍秀"
    "英华丹璐婧媛蓉岚菲妍彤楠茜露嘉宁馨雯")
MALE = "伟强磊军杰涛明超勇鹏浩宇俊峰斌辉刚健"
MOBILE_PREFIXES = [
    '130', '131', '132', '133', '135', '136', '137', '138', '139', '150',
    '151', '152', '153', '155', '156', '157', '158', '159', '166', '176',
    '177', '178', '180', '181', '182', '183', '185', '186', '187', '188',
    '189', '198', '199']
OCCUPATIONS = ["教师", "护士", "设计师", "会计", "销售", "公务员", "自由职业",
    "学生", "律师", "医生", "全职妈妈", "程序员", "人事", "店主", "银行职员"]
HOBBIES = ["瑜伽", "旅行", "烘焙", "追剧", "健身", "读书", "摄影", "插花",
    "逛街", "跳舞"]
OILS = ["薰衣草", "玫瑰", "茶树", "甜橙", "依兰", "檀香"]
ALLERGIES = ["芒果", "海鲜", "花粉", "酒精", "青霉素", "尘螨"]
TREATMENTS = ["光子嫩肤", "水光针", "热玛吉", "果酸焕肤", "皮秒祛斑"]
PRODUCTS = ["雅诗兰黛小棕瓶", "兰蔻小黑瓶", "SK-II 神仙水", "薇诺娜", "玉泽",
    "理肤泉", "珀莱雅"]
FEELINGS = ["很舒服, 差点睡着", "力度刚好", "有点痛但能接受", "皮肤感觉很水润",
    "希望下次力度轻一点", "效果明显, 很满意"]
RESULTS = ["皮肤水润度提升", "毛孔清洁干净", "色斑略有变淡", "痘痘消炎明显",
    "肤色提亮", "紧致度改善", "肩颈僵硬缓解"]
HOME_CARE = ["早晚保湿, 注意防晒", "一周内避免去角质", "多喝水, 少熬夜",
    "使用温和洁面, 避免刺激", "敷补水面膜每周两次"]
NEXT = ["下次建议做补水护理", "可以尝试光子嫩肤", "继续疗程, 两周后复诊",
    "推荐眼部护理", "建议办理疗程卡"]
NOTES = ["客户怕痛, 手法轻柔", "喜欢安静, 少聊天", "对香味敏感", "赶时间, 控制在一小时内",
    "喜欢聊天, 可推荐新项目", ""]
COMPLAINTS = ["等待时间太长", "美容师迟到", "护理后皮肤泛红", "价格与宣传不符",
    "预约被临时取消", "房间温度太低"]
PRAISES = ["美容师手法专业", "环境很舒服", "前台服务热情", "效果超出预期"]
SUGGESTIONS = ["希望增加周末夜间时段", "建议提供停车优惠", "希望有会员积分活动"]


def load(scale=1.0):
    pool = Pool()
    rng = random.Random(SEED)
    today = pool.get('ir.date').today()
    currency = _currency()
    stores = _stores(currency)
    staff = _staff(stores, today)
    services = _services(stores)
    lookups = _lookups()
    templates = _templates()
    with Transaction().set_context(company=stores[0].id, _skip_warnings=True):
        customers = _customers(rng, scale, stores, staff, lookups, today)
        _visits(rng, customers, stores, staff, services, templates, today)
        _plans(rng, customers, services, today)
        _feedback(rng, customers, staff, today)


def _currency():
    Currency = Pool().get('currency.currency')
    currencies = Currency.search([('code', '=', 'CNY')], limit=1)
    if currencies:
        currency, = currencies
    else:
        currency, = Currency.create([{
                    'name': "人民币",
                    'code': 'CNY',
                    'numeric_code': '156',
                    'symbol': "¥",
                    'digits': 2,
                    'rounding': Decimal('0.01'),
                    }])
    return currency


def _stores(currency):
    pool = Pool()
    Company = pool.get('company.company')
    Party = pool.get('party.party')
    User = pool.get('res.user')
    parties = Party.create([{
                'name': name,
                'code': code,
                'addresses': [('create', [{'street': street, 'city': city}])],
                } for name, code, street, city in STORES])
    stores = Company.create([{
                'party': p.id,
                'currency': currency.id,
                'timezone': 'Asia/Shanghai',
                } for p in parties])
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {
            'companies': [('add', [s.id for s in stores])],
            'company': stores[0].id,
            })
    return stores


def _staff(stores, today):
    "{position: {store id: [employee]}}"
    pool = Pool()
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    parties = Party.create([{
                'name': name,
                'code': 'YG%03d' % i,
                'gender': 'female',
                } for i, (name, _, _) in enumerate(STAFF, 1)])
    vlist = []
    for party, (_, position, store) in zip(parties, STAFF):
        values = {
            'party': party.id,
            'company': stores[store].id,
            'start_date': today - dt.timedelta(days=400 + 97 * party.id % 900),
            }
        # beauty_hr, when activated, knows the positions
        if 'position' in Employee._fields:
            values['position'] = position
        vlist.append(values)
    employees = Employee.create(vlist)
    staff = {}
    for employee, (_, position, store) in zip(employees, STAFF):
        staff.setdefault(position, {}).setdefault(
            stores[store].id, []).append(employee)
    return staff


def _services(stores):
    "The service products, {category name: [product]}"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    Category = pool.get('product.category')
    Template = pool.get('product.template')
    ListPrice = pool.get('product.list_price')
    unit = ModelData.get_id('product', 'uom_unit')
    categories = Category.create([{'name': n} for n in SERVICES])
    vlist = []
    for category, (_, services) in zip(categories, SERVICES.items()):
        for name, price in services:
            vlist.append({
                    'name': name,
                    'type': 'service',
                    'default_uom': unit,
                    'categories': [('add', [category.id])],
                    'products': [('create', [{}])],
                    })
    templates = Template.create(vlist)
    prices = [price for services in SERVICES.values() for _, price in services]
    ListPrice.create([{
                'template': t.id,
                'company': s.id,
                'list_price': Decimal(price),
                } for t, price in zip(templates, prices) for s in stores])
    result = {}
    for category, template in zip(
            [c for c, services in SERVICES.items() for _ in services],
            templates):
        result.setdefault(category, []).extend(template.products)
    return result


def _lookups():
    pool = Pool()
    Source = pool.get('beauty.customer.source')
    Concern = pool.get('beauty.skin.concern')
    Contraindication = pool.get('beauty.contraindication')
    Category = pool.get('party.category')
    return {
        'sources': Source.create([
                {'name': n, 'sequence': i}
                for i, n in enumerate(SOURCES, 1)]),
        'concerns': Concern.create([
                {'name': n, 'sequence': i}
                for i, n in enumerate(CONCERNS, 1)]),
        'contraindications': Contraindication.create([
                {'name': n, 'blocking': b, 'sequence': i}
                for i, (n, b) in enumerate(CONTRAINDICATIONS, 1)]),
        'tags': {c.name: c for c in Category.create([
                    {'name': n} for n in TAGS])},
        }


def _templates():
    Template = Pool().get('beauty.consultation.template')
    return Template.create([{
                'name': name,
                'area': area,
                'questions': [('create', [{
                                'sequence': i,
                                'question': q,
                                'answer_type': t,
                                'options': o,
                                } for i, (q, t, o) in enumerate(questions)])],
                } for name, (area, questions) in TEMPLATES.items()])


def _mobiles(rng, count):
    seen = set()
    result = []
    while len(result) < count:
        number = rng.choice(MOBILE_PREFIXES) + '%08d' % rng.randrange(10 ** 8)
        if number in seen:
            continue
        seen.add(number)
        mobile = normalize_mobile(number)
        if mobile:
            result.append(mobile)
    return result


def _years_ago(today, years, rng):
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=rng.randrange(365))


def _customers(rng, scale, stores, staff, lookups, today):
    Party = Pool().get('party.party')
    count = max(int(3000 * scale), 10)
    mobiles = _mobiles(rng, count)
    sources = lookups['sources']
    concerns = lookups['concerns']
    contraindications = {c.name: c for c in lookups['contraindications']}
    tags = lookups['tags']
    beauticians = staff['beautician']
    vlist = []
    for i in range(count):
        female = rng.random() < 0.92
        given = FEMALE if female else MALE
        name = rng.choice(SURNAMES) + ''.join(
            rng.choice(given) for _ in range(rng.choice([1, 2, 2, 2])))
        age = max(16, min(72, int(rng.gauss(36, 10))))
        store = stores[0] if rng.random() < 0.6 else stores[1]
        skin = rng.choice(
            ['dry', 'oily', 'combination', 'combination', 'normal',
                'sensitive'])
        customer_tags = set()
        customer_contraindications = set()
        if rng.random() < 0.12:
            customer_tags.add('VIP')
        if skin == 'sensitive':
            customer_tags.add('敏感肌')
        if age < 23:
            customer_tags.add('学生')
        if female and 24 <= age <= 40 and rng.random() < 0.04:
            customer_tags.add('孕期')
            customer_contraindications.add('孕期')
        if rng.random() < 0.2:
            customer_tags.add(rng.choice(["老客户", "储值会员", "高消费"]))
        if rng.random() < 0.08:
            customer_contraindications.add(rng.choice(
                    ["酒精过敏", "果酸敏感", "近期医美", "高血压", "金属植入"]))
        consent = rng.random() < 0.8
        values = {
            'name': name,
            'mobile': mobiles[i],
            'gender': 'female' if female else 'male',
            'birthday': _years_ago(today, age, rng),
            'source': rng.choices(sources, SOURCE_WEIGHTS)[0].id,
            'store': store.id,
            'skin_type': skin,
            'skin_sensitivity': 'high' if skin == 'sensitive' else rng.choice(
                ['low', 'medium', None]),
            'skin_concerns': [('add', sorted({
                            c.id for c in rng.sample(
                                concerns, rng.randint(0, 3))}))],
            'categories': [('add', sorted(
                        tags[t].id for t in customer_tags))],
            'contraindications': [('add', sorted(
                        contraindications[c].id
                        for c in customer_contraindications))],
            'marketing_consent': consent,
            'marketing_consent_date': (
                today - dt.timedelta(days=rng.randrange(700))
                if consent else None),
            'marketing_consent_channel': (
                rng.choice(['paper', 'wechat', 'online', 'verbal'])
                if consent else None),
            'preferred_visit_time': rng.choice(
                ['weekday_morning', 'weekday_afternoon', 'weekday_evening',
                    'weekend', None]),
            'price_range': rng.choice(
                ['economy', 'standard', 'standard', 'premium', 'luxury']),
            'massage_pressure': rng.choice(['light', 'medium', 'firm', None]),
            }
        if rng.random() < 0.5:
            values['occupation'] = rng.choice(OCCUPATIONS)
        if rng.random() < 0.3:
            values['hobbies'] = '、'.join(rng.sample(HOBBIES, 2))
        if rng.random() < 0.6:
            values['wechat'] = 'wx_%s%04d' % (
                mobiles[i][-4:], rng.randrange(10000))
        if rng.random() < 0.15:
            values['allergies'] = rng.choice(ALLERGIES)
        if rng.random() < 0.2:
            values['treatment_history'] = '%s %s' % (
                (today - dt.timedelta(days=rng.randrange(30, 900))).strftime(
                    '%Y-%m'), rng.choice(TREATMENTS))
        if rng.random() < 0.4:
            values['products_used'] = '、'.join(rng.sample(PRODUCTS, 2))
        if rng.random() < 0.25:
            values['preferred_oils'] = rng.choice(OILS)
        if rng.random() < 0.3:
            values['preferred_beautician'] = rng.choice(
                beauticians[store.id]).id
        if '孕期' in customer_contraindications:
            values['health_notes'] = "孕 %s 周, 避免精油和仪器项目" % rng.randint(
                8, 30)
        vlist.append(values)
    customers = []
    for i in range(0, len(vlist), BATCH):
        customers.extend(Party.create(vlist[i:i + BATCH]))
    # friends bring friends
    referred = {}
    for index, customer in enumerate(customers[1:], 1):
        if rng.random() < 0.15:
            referrer = customers[rng.randrange(index)]
            referred.setdefault(referrer.id, []).append(customer)
    actions = []
    for referrer_id, parties in referred.items():
        actions.extend([parties, {'referrer': referrer_id}])
    if actions:
        Party.write(*actions)
    return customers


def _visit_dates(rng, today, count):
    start = today - dt.timedelta(days=364)
    days = sorted(rng.sample(range(365), min(count, 365)))
    return [start + dt.timedelta(days=d) for d in days]


def _visits(rng, customers, stores, staff, services, templates, today):
    "Consultations at the first visit and a care record for each visit"
    pool = Pool()
    Consultation = pool.get('beauty.consultation')
    CareRecord = pool.get('beauty.care.record')
    beauticians = staff['beautician']
    consultants = staff.get('consultant', beauticians)
    face_services = services["面部护理"] + services["仪器项目"]
    other_services = (services["身体护理"] + services["眼部护理"]
        + services["美甲美睫"])
    consultations, records = [], []
    for customer in customers:
        visits = rng.choices(
            [0, 1, 2, 3, 5, 8, 12, 18], [12, 18, 15, 15, 16, 12, 8, 4])[0]
        if not visits:
            continue
        dates = _visit_dates(rng, today, visits)
        store = customer.store or stores[0]
        if rng.random() < 0.55:
            template = rng.choice(templates)
            answers = []
            for question in template.questions:
                if question.answer_type == 'yes_no':
                    answer = rng.choice(["是", "否", "否"])
                elif question.answer_type == 'choice':
                    answer = rng.choice(question.options.split('/'))
                elif question.answer_type == 'scale':
                    answer = str(rng.randint(3, 8))
                else:
                    answer = rng.choice(PRODUCTS + ["没有特别注意", "7 小时"])
                answers.append({
                        'sequence': question.sequence,
                        'question': question.question,
                        'answer_type': question.answer_type,
                        'options': question.options,
                        'answer': answer,
                        })
            consultations.append({
                    'company': store.id,
                    'customer': customer.id,
                    'template': template.id,
                    'date': dates[0],
                    'consultant': rng.choice(
                        consultants.get(store.id)
                        or beauticians[store.id]).id,
                    'answers': [('create', answers)],
                    'diagnosis': "%s肌肤, 主要问题: %s" % (
                        {'dry': "干性", 'oily': "油性",
                            'combination': "混合性", 'normal': "中性",
                            'sensitive': "敏感性"}[customer.skin_type],
                        '、'.join(c.name for c in customer.skin_concerns)
                        or "无明显问题"),
                    'recommendation': rng.choice(NEXT),
                    })
        hydration = rng.randint(2, 5)
        pigmentation = rng.randint(3, 8)
        acne = rng.randint(1, 6)
        for date in dates:
            hydration = min(10, hydration + rng.choice([0, 0, 1, 1, 2]))
            pigmentation = max(1, pigmentation - rng.choice([0, 0, 1]))
            acne = max(1, min(10, acne + rng.choice([-1, -1, 0, 1])))
            chosen = [rng.choice(face_services)]
            if rng.random() < 0.35:
                chosen.append(rng.choice(other_services))
            records.append({
                    'company': store.id,
                    'customer': customer.id,
                    'date': date,
                    'beautician': rng.choice(beauticians[store.id]).id,
                    'services': [('add', sorted({p.id for p in chosen}))],
                    'hydration': hydration,
                    'elasticity': rng.randint(4, 8),
                    'pigmentation': pigmentation,
                    'acne': acne,
                    'pores': rng.randint(2, 7),
                    'redness': rng.randint(1, 5),
                    'skin_state': rng.choice(
                        ["T 区出油, 两颊干燥", "肤色暗沉", "下巴有闭口",
                            "状态稳定", "换季轻微泛红"]),
                    'technique': "清洁 → 去角质 → 导入 → 按摩 → 面膜",
                    'products': rng.choice(PRODUCTS),
                    'customer_feeling': rng.choice(FEELINGS),
                    'result': rng.choice(RESULTS),
                    'home_care': rng.choice(HOME_CARE),
                    'next_recommendation': rng.choice(NEXT),
                    'next_notes': rng.choice(NOTES) or None,
                    })
    for i in range(0, len(consultations), BATCH):
        Consultation.create(consultations[i:i + BATCH])
    for i in range(0, len(records), BATCH):
        CareRecord.create(records[i:i + BATCH])


def _plans(rng, customers, services, today):
    pool = Pool()
    Plan = pool.get('beauty.care.plan')
    all_services = [p for products in services.values() for p in products]
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    vlist = []
    for customer in customers:
        if rng.random() > 0.08:
            continue
        chosen = rng.sample(all_services, rng.randint(1, 3))
        vlist.append({
                'company': (customer.store.id if customer.store else None),
                'customer': customer.id,
                'period': 'quarter',
                'start_date': quarter_start,
                'end_date': _quarter_end(quarter_start),
                'target_spend': Decimal(rng.choice([3000, 5000, 8000, 12000])),
                'lines': [('create', [{
                                'service': p.id,
                                'planned_sessions': rng.choice([2, 4, 6]),
                                } for p in chosen])],
                'notes': rng.choice(NEXT),
                })
    Plan.create(vlist)


def _quarter_end(start):
    month = start.month + 3
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1) - dt.timedelta(days=1)


def _feedback(rng, customers, staff, today):
    pool = Pool()
    Feedback = pool.get('beauty.feedback')
    User = pool.get('res.user')
    admin, = User.search([('login', '=', 'admin')])
    vlist = []
    for customer in customers:
        if rng.random() > 0.03:
            continue
        kind = rng.choices(
            ['complaint', 'suggestion', 'praise'], [4, 3, 3])[0]
        subject = rng.choice(
            {'complaint': COMPLAINTS, 'suggestion': SUGGESTIONS,
                'praise': PRAISES}[kind])
        received = dt.datetime.combine(
            today - dt.timedelta(days=rng.randrange(300)),
            dt.time(rng.randint(10, 20), rng.choice([0, 15, 30, 45])))
        state = rng.choices(
            ['open', 'in_progress', 'resolved', 'cancelled'],
            [2, 2, 6, 1])[0]
        store = customer.store
        values = {
            'company': store.id,
            'customer': customer.id,
            'date': received,
            'kind': kind,
            'channel': rng.choice(['store', 'phone', 'wechat', 'online']),
            'subject': subject,
            'description': "客户反馈: %s。" % subject,
            'employee': rng.choice(staff['beautician'][store.id]).id,
            'handler': admin.id if state != 'open' else None,
            'state': state,
            }
        if state == 'resolved':
            values.update({
                    'resolution': rng.choice([
                            "已致电道歉并赠送一次补水护理", "已向客户说明并调整预约流程",
                            "已转达美容师, 客户表示满意"]),
                    'satisfaction': rng.choice(['3', '4', '4', '5']),
                    'resolved_date': received + dt.timedelta(
                        days=rng.randint(1, 5)),
                    })
        vlist.append(values)
    Feedback.create(vlist)
