"""The words the synthetic corpus is made of: real district codes, name syllables, industries,
company forms, central SOEs, algorithm kinds, products and the spellings real numbers use.
Data only, checked free of XML specials when loaded (cells are written without escaping)."""

from __future__ import annotations

from collections.abc import Iterable

# Real district codes (GB/T 2260) with the city their filers name, and how many filings
# carry each in the corpus's 31 algorithm lists: the 40 most frequent, checked by parsing
# the corpus with read_docx_tables + parse_algorithm_tables (tests re-check every code).
REGION_CODES: tuple[tuple[str, str, int], ...] = (
    ("110108", "北京", 740), ("440305", "深圳", 590), ("110105", "北京", 304),
    ("440105", "广州", 278), ("330110", "杭州", 270), ("440106", "广州", 225),
    ("310115", "上海", 213), ("440112", "广州", 172), ("330108", "杭州", 137),
    ("510107", "成都", 136), ("310104", "上海", 127), ("330106", "杭州", 123),
    ("440304", "深圳", 87), ("310112", "上海", 85), ("440115", "广州", 70),
    ("420111", "武汉", 68), ("110106", "北京", 65), ("110101", "北京", 64),
    ("110115", "北京", 62), ("440306", "深圳", 59), ("340104", "合肥", 55),
    ("110102", "北京", 54), ("370102", "济南", 54), ("310114", "上海", 53),
    ("310110", "上海", 52), ("110114", "北京", 52), ("330109", "杭州", 52),
    ("350203", "厦门", 51), ("110112", "北京", 50), ("320506", "苏州", 46),
    ("120116", "天津", 44), ("430104", "长沙", 43), ("310120", "上海", 43),
    ("310106", "上海", 41), ("350211", "厦门", 40), ("440309", "深圳", 40),
    ("440307", "深圳", 39), ("500112", "重庆", 39), ("310107", "上海", 36),
    ("610113", "西安", 22),
)

# Brand syllables with their pinyin, so a gen-AI number can spell the Chinese name.
SYLLABLES = tuple(zip(
    "智云星海天瑞思维博华达睿创明远盛泰恒安嘉融聚灵光极元启航鲸鹰龙凤麒麟墨言语图影声音视像码"
    "算力峰川河江湖山林森木火银宝玉晶辰宇宙乾坤易道德仁义礼和美乐悦欣康健优佳捷迅速快飞腾跃鸿蓝"
    "青紫橙白朗卓越锐曜昊擎金鑫弘拓澜璟凌骏韵策途畅芯羽沐帆哲萌炬诺",
    ("Zhi Yun Xing Hai Tian Rui Si Wei Bo Hua Da Rui Chuang Ming Yuan Sheng Tai Heng An Jia Rong Ju "
     "Ling Guang Ji Yuan Qi Hang Jing Ying Long Feng Qi Lin Mo Yan Yu Tu Ying Sheng Yin Shi Xiang Ma "
     "Suan Li Feng Chuan He Jiang Hu Shan Lin Sen Mu Huo Yin Bao Yu Jing Chen Yu Zhou Qian Kun Yi "
     "Dao De Ren Yi Li He Mei Le Yue Xin Kang Jian You Jia Jie Xun Su Kuai Fei Teng Yue Hong Lan "
     "Qing Zi Cheng Bai Lang Zhuo Yue Rui Yao Hao Qing Jin Xin Hong Tuo Lan Jing Ling Jun Yun Ce Tu "
     "Chang Xin Yu Mu Fan Zhe Meng Ju Nuo").split(),
    strict=True,
))
INDUSTRIES = ("科技", "信息技术", "网络科技", "智能科技", "数字科技", "软件", "人工智能科技",
               "文化传媒", "教育科技", "医疗科技", "金融信息服务", "电子商务", "互动娱乐",
               "数据科技", "计算机系统", "传媒", "物联网科技", "游戏", "健康科技", "汽车科技",
               "旅游科技", "广告", "影视文化", "出版传媒")
FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")  # mostly 有限公司

# Central SOEs file gen-AI services through the SASAC (属地 国资委, prefix ZhongYangQiYe).
SOES = (("中国移动通信集团有限公司", "九天", "JiuTian"), ("中国电信集团有限公司", "星辰", "XingChen"),
         ("中国联合网络通信集团有限公司", "元景", "YuanJing"), ("国家电网有限公司", "光明", "GuangMing"),
         ("中国南方电网有限责任公司", "大瓦特", "DaWaTe"), ("中国物流集团有限公司", "流云", "LiuYun"),
         ("中国石油天然气集团有限公司", "昆仑", "KunLun"), ("招商局集团有限公司", "招商", "ZhaoShang"))

DS_KINDS = (  # algorithm name suffix, scene, what it does
    ("智能客服算法", "在线智能客服", "根据用户咨询内容,生成文本或语音智能回答"),
    ("文本生成算法", "文本生成", "根据用户输入的文本,生成相应的文本回复"),
    ("图像生成合成算法", "图像生成", "使用文本条件图像生成模型,生成与输入文本语义一致的图像"),
    ("视频生成算法", "视频生成", "根据输入的文本、图片,结合素材库,生成视频"),
    ("语音合成算法", "语音合成", "根据输入的文本,合成自然流畅的语音"),
    ("数字人生成算法", "数字人视频生成", "根据输入的文本和形象素材,生成数字人播报视频"),
    ("对话生成算法", "对话生成", "根据用户输入的文本,结合上下文数据,生成符合用户要求的文本回复"),
    ("人脸融合算法", "图像编辑", "根据用户上传的图片,生成人脸融合后的图像"),
    ("大模型算法", "智能问答", "根据用户输入的问题,生成相应的回答"),
)
AR_KINDS = (  # category before 2024, category from 2024, type, name suffix, scene, what it does
    ("个性化推送类", "个性化推送类", "02", "个性化推荐算法", "信息推荐",
     "根据用户的历史行为记录,推荐用户可能感兴趣的内容"),
    ("排序精选类", "排序精选类", "03", "热榜排序算法", "榜单排序", "根据内容的热度和时效,对内容进行排序展示"),
    ("检索过滤类", "信息检索类", "04", "搜索算法", "信息检索", "根据用户输入的关键词,检索并返回相关内容"),
    ("检索过滤类", "内容过滤类", "05", "内容安全算法", "内容审核",
     "对平台上发布的文字、图片、音视频进行内容安全风险识别"),
    ("调度决策类", "调度决策类", "06", "配送调度算法", "即时配送", "根据订单和骑手位置,决策派单和配送路线"),
)
AR_KIND_WEIGHTS = (0, 0, 0, 0, 0, 0, 1, 2, 2, 3, 4, 4)  # push recommendation dominates, as in reality
PRODUCTS = ("{b}（APP）", "{b}(APP)", "{b}(小程序)", "{b}（网站）", "{b}（APP）、{b}(小程序)",
             "{b}助手(APP)、{b}(网站)", "{b}（公众账号）", "{b}(APP)、{b}(网站)、{b}(小程序)")
MODEL_SUFFIXES = (("大模型", "DaMoXing"), ("GPT", "GPT"), ("大语言模型", "DaYuYanMoXing"),
                   ("多模态大模型", "DuoMoTaiDaMoXing"), ("", ""))
APP_SUFFIXES = (("智能助手", "ZhiNengZhuShou"), ("AI", "AI"), ("智能客服", "ZhiNengKeFu"),
                 ("智能体", "ZhiNengTi"), ("写作助手", "XieZuoZhuShou"))
# Spellings the real numbers use besides the canonical pinyin (all resolve to the province).
PREFIX_VARIANTS = {"Zhejiang": "ZheJiang", "Shandong": "ShanDong", "Guangdong": "GuangDong"}
PREFIX_TYPOS = {"Shanghai": "Shinghai"}

def check_xml_safe(*pools: Iterable) -> None:
    """Cells are written without escaping (it would cost seconds per million rows), so
    every word they are built from must be free of XML specials."""
    for pool in pools:
        for item in pool:
            for text in (item if isinstance(item, tuple) else (item,)):
                if isinstance(text, str) and any(ch in text for ch in "<>&"):
                    raise ValueError(f"XML special character in generator vocabulary: {text!r}")


check_xml_safe(SYLLABLES, INDUSTRIES, FORMS, SOES, DS_KINDS, AR_KINDS, PRODUCTS,
                MODEL_SUFFIXES, APP_SUFFIXES, REGION_CODES)
