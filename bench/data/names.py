# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"Plausible Chinese names, deterministic, with their pinyin columns"
import random

from beauty_customer.pinyin import pinyin_values

# The most common surnames with their rough share (per mille) of the
# population, and a few compound ones
SURNAMES = [
    ('王', 72), ('李', 72), ('张', 68), ('刘', 54), ('陈', 46), ('杨', 32),
    ('黄', 23), ('赵', 22), ('吴', 20), ('周', 19), ('徐', 13), ('孙', 13),
    ('马', 12), ('朱', 12), ('胡', 11), ('郭', 11), ('何', 10), ('高', 9),
    ('林', 9), ('罗', 9), ('郑', 8), ('梁', 8), ('谢', 7), ('宋', 6),
    ('唐', 6), ('许', 6), ('韩', 6), ('冯', 5), ('邓', 5), ('曹', 5),
    ('彭', 5), ('曾', 5), ('肖', 5), ('田', 4), ('董', 4), ('袁', 4),
    ('潘', 4), ('于', 4), ('蒋', 4), ('蔡', 4), ('余', 4), ('杜', 3),
    ('叶', 3), ('程', 3), ('苏', 3), ('魏', 3), ('吕', 3), ('丁', 3),
    ('任', 3), ('沈', 3), ('姚', 3), ('卢', 3), ('姜', 2), ('崔', 2),
    ('钟', 2), ('谭', 2), ('陆', 2), ('汪', 2), ('范', 2), ('金', 2),
    ('石', 2), ('廖', 2), ('贾', 2), ('夏', 2), ('韦', 2), ('付', 2),
    ('方', 2), ('白', 2), ('邹', 2), ('孟', 2), ('熊', 2), ('秦', 2),
    ('邱', 2), ('江', 2), ('尹', 2), ('薛', 2), ('闫', 2), ('段', 2),
    ('雷', 2), ('侯', 2), ('龙', 2), ('史', 2), ('陶', 1), ('黎', 1),
    ('贺', 1), ('顾', 1), ('毛', 1), ('郝', 1), ('龚', 1), ('邵', 1),
    ('万', 1), ('钱', 1), ('严', 1), ('覃', 1), ('武', 1), ('戴', 1),
    ('莫', 1), ('孔', 1), ('向', 1), ('汤', 1), ('单', 1), ('区', 1),
    ('欧阳', 1), ('司马', 1), ('上官', 1), ('诸葛', 1),
    ]
FEMALE = (
    '丽娜敏静婷雪芳燕玲霞红梅艳秀英华慧琳颖倩欣怡佳悦晓小雨萱涵诗梦思文雅'
    '月婉晶洁琪瑶璐露蕾薇莉莹萍娟妍媛嘉楠紫馨彤蓉凤兰春秋冬云青清美心一可'
    '子若安宁晴岚菲琴珊瑾瑜璇婧姗嫣妮娅嘉欢乐惠淑贞凌霜冰蓓蕊茜茹荷莲蝶')
MALE = '伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆亮成'


def catalogue(size, seed=8):
    """size distinct (name, gender) pairs, about 9 in 10 women (a salon's
    customers), names of one or two given characters."""
    rng = random.Random(seed)
    surnames = [s for s, _ in SURNAMES]
    weights = [w for _, w in SURNAMES]
    seen = set()
    result = []
    attempts = 0
    while len(result) < size and attempts < size * 20:
        attempts += 1
        surname = rng.choices(surnames, weights)[0]
        if rng.random() < 0.9:
            gender, chars = 'female', FEMALE
        else:
            gender, chars = 'male', MALE
        given = rng.choice(chars)
        if rng.random() < 0.8:
            given += rng.choice(chars)
        name = surname + given
        if name in seen:
            continue
        seen.add(name)
        result.append((name, gender))
    return result


def rows(size, seed=8):
    "(index, name, gender, pinyin, pinyin_search) of a catalogue"
    for i, (name, gender) in enumerate(catalogue(size, seed=seed)):
        values = pinyin_values(name)
        yield (i, name, gender, values['pinyin'], values['pinyin_search'])
