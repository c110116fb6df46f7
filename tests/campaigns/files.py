"""Schedule tables built in memory for the import tests (CSV and XLSX)."""

import csv
import io

import openpyxl

HEADER = ["序号", "宣传主题", "实事名称", "责任单位", "宣传时间"]

# The units of the Shaoyang example, as the county's register writes them (Simplified).
SHAOYANG_UNITS = [
    "县卫健局",
    "县医保局",
    "县妇联",
    "县住建局",
    "县住房保障中心",
    "县电力公司",
    "县人社局",
    "县民政局",
    "县残联",
    "县水利局",
    "县交通局",
    "县教育局",
    "县行政审批服务局",
]

# The attachment table of the Shaoyang plan exactly as written there: Traditional script
# with the inline pinyin a careless conversion left behind.
SHAOYANG_TITLE = "“2023年溫暖民生答卷”系列宣傳活動時間安排表"
SHAOYANG_HEADER = ["序號", "宣傳主題", "實事(項目)名稱", "責任單位", "宣傳時間"]
SHAOYANG_ROWS = [
    [
        "1",
        "醫(yī)療保障",
        "異地就醫(yī)結(jié)算與基層醫(yī)保代辦服務、農(nóng)村適齡及城鎮(zhèn)低保適齡婦女“兩癌”"
        "免費檢查、縣級婦幼保健機構(gòu)標準化建設",
        "縣衛(wèi)健局、縣醫(yī)保局、縣婦聯(lián)",
        "10月8-10日",
    ],
    [
        "2",
        "住房保障",
        "城鎮(zhèn)老舊小區(qū)開工改造和城鎮(zhèn)住宅小區(qū)居民“一戶一表”改造接收",
        "縣住建局、縣住房保障中心、縣電力公司",
        "10月10-15日",
    ],
    [
        "3",
        "就業(yè)社保",
        "促進高質(zhì)量充分就業(yè)和擴大社會保險覆蓋面",
        "縣人社局",
        "10月16-20日",
    ],
    [
        "4",
        "社會關(guān)愛",
        "提高困難群體救助標準和開展殘疾人關(guān)愛服務",
        "縣民政局、縣殘聯(lián)",
        "10月23-27日",
    ],
    ["5", "水利建設", "農(nóng)村水源保障及灌溉能力提升", "縣水利局", "10月30-11月3日"],
    [
        "6",
        "養(yǎng)老服務",
        "養(yǎng)老機構(gòu)新增護理型床位和困難老年人居家適老化改造",
        "縣民政局",
        "11月6-10日",
    ],
    [
        "7",
        "農(nóng)村建設",
        "農(nóng)村“三路”建設、鄉(xiāng)村信息化網(wǎng)絡建設和農(nóng)村電網(wǎng)鞏固提升工程",
        "縣交通局、縣電力公司",
        "11月13-17日",
    ],
    [
        "8",
        "教育強省",
        "縣域普通高中“徐特立項目”和改善中職學校辦學條件",
        "縣教育局",
        "11月20-24日",
    ],
    ["9", "政務服務", "“湘易辦”超級服務端應用推廣", "縣行政審批服務局", "11月27-30日"],
    ["10", "綜合報道", "全面宣傳2023年重點民生實事工作完成情況", "縣人社局", "12月初"],
]


def csv_bytes(rows, *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    # A second sheet that must be ignored.
    workbook.create_sheet("备注").append(["序号", "宣传主题", "责任单位", "宣传时间"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
