"""The indicators every installation starts with, and how each record kind maps onto them.

Codes are stable identifiers; names are Chinese as the offices write them. Seeded by
migration 0002; offices may add their own indicators (for plain figures).
"""

# (code, name, measure word, category, aggregation, distinct_of)
BASE_INDICATORS: list[tuple[str, str, str, str, str, str]] = [
    ("meetings", "召开会议", "次", "organisation", "sum", ""),
    ("working_groups", "成立工作组", "个", "organisation", "sum", ""),
    ("news_reports", "播发新闻", "条", "media", "sum", ""),
    ("articles", "刊发文图", "篇", "media", "sum", ""),
    ("short_videos", "短视频", "条", "media", "sum", ""),
    ("special_films", "专题片", "条", "media", "sum", ""),
    ("live_streams", "直播", "场次", "media", "sum", ""),
    ("h5_posters", "H5及海报", "个", "media", "sum", ""),
    ("media_outputs", "媒体宣传作品", "件", "media", "sum", ""),
    ("views", "点击量", "次", "media", "sum", ""),
    ("views_cumulative", "累计点击量", "次", "media", "latest", ""),
    ("media_adoptions", "媒体采用", "篇", "media", "sum", ""),
    ("banners", "悬挂横幅", "条", "materials", "sum", ""),
    ("billboards", "户外广告牌", "块", "materials", "sum", ""),
    ("led_slogans", "LED滚动标语", "条", "materials", "sum", ""),
    ("posters", "张贴海报", "张", "materials", "sum", ""),
    ("leaflets", "发放宣传单", "张", "materials", "sum", ""),
    ("pocket_books", "发放宣传册", "册", "materials", "sum", ""),
    ("exhibition_boards", "展板", "块", "materials", "sum", ""),
    ("bus_stop_panels", "公交站台广告", "块", "materials", "sum", ""),
    ("slogan_sites", "标语点位", "处", "materials", "sum", ""),
    ("loudspeakers", "村村响喇叭", "个", "materials", "sum", ""),
    ("other_materials", "其他宣传品", "件", "materials", "sum", ""),
    ("material_area", "宣传阵地面积", "平方米", "materials", "sum", ""),
    ("materials_cumulative", "累计发放宣传品", "张", "materials", "latest", ""),
    ("lectures", "宣讲", "场次", "events", "sum", ""),
    ("performances", "文艺巡演", "场次", "events", "sum", ""),
    ("film_screenings", "电影放映", "场次", "events", "sum", ""),
    ("competitions", "竞赛活动", "场次", "events", "sum", ""),
    ("quizzes", "知识竞答", "场次", "events", "sum", ""),
    ("exhibitions", "展览", "场次", "events", "sum", ""),
    ("home_visits", "入户走访", "次", "events", "sum", ""),
    ("study_tours", "观摩学习", "次", "events", "sum", ""),
    ("volunteer_services", "志愿服务", "次", "events", "sum", ""),
    ("loudspeaker_broadcasts", "村村响广播", "次", "events", "sum", ""),
    ("event_participants", "参与群众", "人次", "events", "sum", ""),
    ("info_items_submitted", "报送信息", "篇", "information", "sum", ""),
    ("info_items_adopted", "信息被采用", "篇", "information", "sum", ""),
    ("briefings", "编发工作简报", "期", "information", "sum", ""),
    ("opinion_incidents", "处置舆情", "件", "opinion", "sum", ""),
    ("respondents", "受访人数", "人", "effect", "sum", ""),
    ("aware_respondents", "知晓人数", "人", "effect", "sum", ""),
    ("participating_respondents", "参与人数", "人", "effect", "sum", ""),
    ("supporting_respondents", "支持人数", "人", "effect", "sum", ""),
    ("satisfied_respondents", "满意人数", "人", "effect", "sum", ""),
    ("counties_covered", "覆盖县(市、区)", "个", "coverage", "distinct", "county"),
    ("townships_covered", "覆盖乡(镇)", "个", "coverage", "distinct", "township"),
    ("villages_covered", "覆盖村(社区)", "个", "coverage", "distinct", "village"),
    ("units_active", "参与单位", "个", "coverage", "distinct", "unit"),
]

# (code, name, numerator code, denominator code): ratios in percent.
BASE_RATIOS: list[tuple[str, str, str, str]] = [
    ("awareness_rate", "知晓率", "aware_respondents", "respondents"),
    ("participation_rate", "参与率", "participating_respondents", "respondents"),
    ("support_rate", "支持率", "supporting_respondents", "respondents"),
    ("satisfaction_rate", "满意度", "satisfied_respondents", "respondents"),
]

# Media output kind -> the indicator counting it (each output counts 1; every output
# also counts 1 towards media_outputs, and its views towards views).
OUTPUT_KIND_INDICATOR: dict[str, str] = {
    "news": "news_reports",
    "article": "articles",
    "image_text": "articles",
    "video": "short_videos",
    "special_film": "special_films",
    "live_stream": "live_streams",
    "h5": "h5_posters",
    "poster": "h5_posters",
    "other": "media_outputs",
}

# Material kind -> the indicator its quantity counts towards (area always -> material_area).
MATERIAL_KIND_INDICATOR: dict[str, str] = {
    "banner": "banners",
    "billboard": "billboards",
    "led_slogan": "led_slogans",
    "poster": "posters",
    "leaflet": "leaflets",
    "pocket_book": "pocket_books",
    "exhibition_board": "exhibition_boards",
    "bus_stop_panel": "bus_stop_panels",
    "slogan_site": "slogan_sites",
    "loudspeaker": "loudspeakers",
    "other": "other_materials",
}

# Event kind -> the indicator its sessions count towards (participants always ->
# event_participants, broken down by the kind dimension).
EVENT_KIND_INDICATOR: dict[str, str] = {
    "lecture": "lectures",
    "performance": "performances",
    "film": "film_screenings",
    "competition": "competitions",
    "quiz": "quizzes",
    "exhibition": "exhibitions",
    "home_visit": "home_visits",
    "meeting": "meetings",
    "study_tour": "study_tours",
    "volunteer": "volunteer_services",
    "broadcast": "loudspeaker_broadcasts",
}
