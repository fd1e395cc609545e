<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <source>Something went wrong inside JDM Capture. Your saved data is safe; unsaved typing is kept as a draft. Please report this with the details below.</source>
        <translation>JDM Capture 内部出错。已保存的数据是安全的；未保存的输入已保留为草稿。请连同下面的详细信息一并报告。</translation>
    </message>
    <message>
        <source>New database</source>
        <translation>新建数据库</translation>
    </message>
    <message>
        <source>JDM Capture database (*.sqlite *.db)</source>
        <translation>JDM Capture 数据库 (*.sqlite *.db)</translation>
    </message>
    <message>
        <source>Open database</source>
        <translation>打开数据库</translation>
    </message>
    <message>
        <source>JDM Capture database (*.sqlite *.db);;All files (*)</source>
        <translation>JDM Capture 数据库 (*.sqlite *.db);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Opening {name}...</source>
        <translation>正在打开 {name}……</translation>
    </message>
    <message>
        <source>{name} was not closed properly last time (a crash or power cut); the whole file was checked and is healthy.</source>
        <translation>{name} 上次未正常关闭（程序崩溃或断电）；已检查整个文件，文件完好。</translation>
    </message>
    <message>
        <source>Backup now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <source>SQLite database (*.sqlite)</source>
        <translation>SQLite 数据库 (*.sqlite)</translation>
    </message>
    <message>
        <source>Backing up...</source>
        <translation>正在备份……</translation>
    </message>
    <message>
        <source>Backup written: {name}</source>
        <translation>已写入备份：{name}</translation>
    </message>
    <message>
        <source>Exporting Excel...</source>
        <translation>正在导出 Excel……</translation>
    </message>
    <message>
        <source>Exported {name}</source>
        <translation>已导出 {name}</translation>
    </message>
    <message>
        <source>Exporting case file...</source>
        <translation>正在导出病例文件……</translation>
    </message>
    <message>
        <source>Scoring settings differ</source>
        <translation>计分设置不同</translation>
    </message>
    <message>
        <source>{file} was exported with other scoring settings than this database uses, so its responses (TIS, PRINTO) come out differently. Which settings should apply?</source>
        <translation>{file} 导出时使用的计分设置与本数据库不同，因此其疗效应答（TIS、PRINTO）结果会不同。应采用哪种设置？</translation>
    </message>
    <message>
        <source>Use the file&apos;s settings: this database takes them and every stored response is recomputed. Keep this database&apos;s settings: the file&apos;s visits are scored with them. Cancel: nothing is imported.</source>
        <translation>采用文件的设置：本数据库改用这些设置，并重新计算所有已保存的疗效应答。保留本数据库的设置：文件中的访视按本数据库的设置计分。取消：不导入任何内容。</translation>
    </message>
    <message>
        <source>Use the file&apos;s settings</source>
        <translation>采用文件的设置</translation>
    </message>
    <message>
        <source>This database takes the file&apos;s settings; every stored response is recomputed with them.</source>
        <translation>本数据库改用文件的设置；所有已保存的疗效应答将按其重新计算。</translation>
    </message>
    <message>
        <source>Keep this database&apos;s settings</source>
        <translation>保留本数据库的设置</translation>
    </message>
    <message>
        <source>The file&apos;s visits are scored with this database&apos;s settings.</source>
        <translation>文件中的访视按本数据库的设置计分。</translation>
    </message>
    <message>
        <source>{file}: {added} patients added, {updated} updated, {visits} visits</source>
        <translation>{file}：新增 {added} 例患者，更新 {updated} 例，访视 {visits} 次</translation>
    </message>
    <message>
        <source>Import cancelled: nothing from {file} was saved.</source>
        <translation>导入已取消：{file} 中的内容均未保存。</translation>
    </message>
    <message>
        <source>Import refused: nothing from that file was saved.</source>
        <translation>导入被拒绝：该文件中的内容均未保存。</translation>
    </message>
    <message>
        <source>Import finished: {text}</source>
        <translation>导入完成：{text}</translation>
    </message>
    <message>
        <source>Importing...</source>
        <translation>正在导入……</translation>
    </message>
    <message>
        <source>Imported {file}. Patients: {patients} ({added} added, {updated} updated); visits: {visits} ({replaced} replaced); medications: {meds}; adverse events: {events}.</source>
        <translation>已导入 {file}。患者：{patients}（新增 {added}，更新 {updated}）；访视：{visits}（替换 {replaced}）；用药：{meds}；不良事件：{events}。</translation>
    </message>
    <message>
        <source>Saved, but please double-check these values:</source>
        <translation>已保存，但请再次核对以下数值：</translation>
    </message>
    <message>
        <source>Nothing was imported from {file}. Problems found: {n}. Correct them in the workbook and import it again.</source>
        <translation>{file} 未导入任何内容。发现问题：{n} 个。请在工作簿中改正后重新导入。</translation>
    </message>
    <message>
        <source>Problems (sheet, row, column):</source>
        <translation>问题（工作表、行、列）：</translation>
    </message>
    <message>
        <source>Import spreadsheet</source>
        <translation>导入电子表格</translation>
    </message>
    <message>
        <source>Import case files</source>
        <translation>导入病例文件</translation>
    </message>
    <message>
        <source>JSON case files (*.json)</source>
        <translation>JSON 病例文件 (*.json)</translation>
    </message>
    <message>
        <source>Importing spreadsheet...</source>
        <translation>正在导入电子表格……</translation>
    </message>
    <message>
        <source>REDCap files written to {folder} ({kind}). Patients: {patients}; visits: {visits}; medications: {meds}; adverse events: {events}.</source>
        <translation>REDCap 文件已写入 {folder}（{kind}）。患者：{patients}；访视：{visits}；用药：{meds}；不良事件：{events}。</translation>
    </message>
    <message>
        <source>identified</source>
        <translation>含身份信息</translation>
    </message>
    <message>
        <source>de-identified</source>
        <translation>已去标识</translation>
    </message>
    <message>
        <source>REDCap files written</source>
        <translation>已写入 REDCap 文件</translation>
    </message>
    <message>
        <source>Export for REDCap</source>
        <translation>导出到 REDCap</translation>
    </message>
    <message>
        <source>Export Excel</source>
        <translation>导出 Excel</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Include identifiers (names, MRN, dates of birth, real dates)? Choose No for a de-identified workbook.</source>
        <translation>是否包含身份信息（姓名、病历号、出生日期、真实日期）？去标识工作簿请选“否”。</translation>
    </message>
    <message>
        <source>Export JSON case file</source>
        <translation>导出 JSON 病例文件</translation>
    </message>
    <message>
        <source>JSON case file (*.json)</source>
        <translation>JSON 病例文件 (*.json)</translation>
    </message>
    <message>
        <source>Export for REDCap: choose a folder (its REDCap files are replaced)</source>
        <translation>导出到 REDCap：选择文件夹（其中的 REDCap 文件将被替换）</translation>
    </message>
    <message>
        <source>Include identifiers (names, MRN, dates of birth, real dates, free text)? Choose No for a de-identified export, as most studies require.</source>
        <translation>是否包含身份信息（姓名、病历号、出生日期、真实日期、自由文本）？多数研究要求去标识导出，请选“否”。</translation>
    </message>
    <message>
        <source>Notes for the REDCap administrator:</source>
        <translation>致 REDCap 管理员的说明：</translation>
    </message>
    <message>
        <source>Exporting for REDCap...</source>
        <translation>正在导出到 REDCap……</translation>
    </message>
    <message>
        <source>Save data-entry template</source>
        <translation>保存数据录入模板</translation>
    </message>
    <message>
        <source>Writing the template...</source>
        <translation>正在写入模板……</translation>
    </message>
    <message>
        <source>Template written: {name}</source>
        <translation>已写入模板：{name}</translation>
    </message>
    <message>
        <source>Choose a patient first.</source>
        <translation>请先选择一位患者。</translation>
    </message>
    <message>
        <source>Patient PDF report, de-identified</source>
        <translation>患者 PDF 报告，去标识</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Patient PDF report</source>
        <translation>患者 PDF 报告</translation>
    </message>
    <message>
        <source>Writing the patient report...</source>
        <translation>正在生成患者报告……</translation>
    </message>
    <message>
        <source>Report written: {name}</source>
        <translation>已写入报告：{name}</translation>
    </message>
    <message>
        <source>Cohort PDF report</source>
        <translation>队列 PDF 报告</translation>
    </message>
    <message>
        <source>Writing the cohort report...</source>
        <translation>正在生成队列报告……</translation>
    </message>
    <message>
        <source>JDM cohort summary</source>
        <translation>幼年皮肌炎队列汇总</translation>
    </message>
    <message>
        <source>JDM case summary · Study ID {id}</source>
        <translation>幼年皮肌炎病例摘要 · 研究编号 {id}</translation>
    </message>
    <message>
        <source>Printing failed: {error}.</source>
        <translation>打印失败：{error}。</translation>
    </message>
    <message>
        <source>Sent {n} pages of {title} to the printer.</source>
        <translation>已将 {title} 共 {n} 页发送到打印机。</translation>
    </message>
    <message>
        <source>Preparing the report to print...</source>
        <translation>正在准备打印报告……</translation>
    </message>
    <message>
        <source>Unsaved entry</source>
        <translation>未保存的录入</translation>
    </message>
    <message>
        <source>An unsaved entry left from an earlier session could not be restored ({keys}). It was kept aside in the database, unchanged; nothing saved is affected.</source>
        <translation>之前会话遗留的一条未保存录入无法恢复（{keys}）。它已原样另存在数据库中；已保存的内容不受影响。</translation>
    </message>
    <message>
        <source>Empty database</source>
        <translation>空数据库</translation>
    </message>
    <message>
        <source>This database has no patients yet. Add the demo cohort (fictitious children) to explore JDM Capture?</source>
        <translation>该数据库还没有患者。是否添加演示队列（虚构患儿）以了解 JDM Capture？</translation>
    </message>
    <message>
        <source>Scores of {n} visits were recomputed with the current rules.</source>
        <translation>已按当前规则重新计算 {n} 次访视的评分。</translation>
    </message>
    <message>
        <source>Checking stored scores...</source>
        <translation>正在检查已保存的评分……</translation>
    </message>
    <message>
        <source>Adding the demo cohort...</source>
        <translation>正在添加演示队列……</translation>
    </message>
    <message>
        <source>Overdue</source>
        <extracomment>the GUI&apos;s translate function (``self.tr``)</extracomment>
        <translation>已逾期</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>到期</translation>
    </message>
    <message>
        <source>Upcoming</source>
        <translation>即将到期</translation>
    </message>
    <message>
        <source>{d} overdue</source>
        <translation>逾期 {d}</translation>
    </message>
    <message>
        <source>target in {d}</source>
        <translation>距目标日 {d}</translation>
    </message>
    <message>
        <source>target {d} ago</source>
        <translation>目标日已过 {d}</translation>
    </message>
    <message>
        <source>target today</source>
        <translation>今天为目标日</translation>
    </message>
    <message>
        <source>1 day</source>
        <translation>1 天</translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation>{n} 天</translation>
    </message>
    <message>
        <source>Study ID</source>
        <extracomment>ACR/EULAR category of the last visit vs baseline protocol label of the last visit (M0, M3, ...) bounds of that response (instruments.md 0.5) TIS rows available (of 6)</extracomment>
        <translation>研究编号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Next protocol visit</source>
        <translation>下一次方案随访</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Days</source>
        <translation>天数</translation>
    </message>
    <message>
        <source>Target date</source>
        <translation>目标日期</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>时间窗</translation>
    </message>
    <message>
        <source>Missed before</source>
        <translation>此前错过</translation>
    </message>
    <message>
        <source>Age (y)</source>
        <translation>年龄（岁）</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>访视次数</translation>
    </message>
    <message>
        <source>Last visit</source>
        <translation>末次访视</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Response vs baseline</source>
        <translation>相对基线的疗效应答</translation>
    </message>
    <message>
        <source>unlocked</source>
        <extracomment>rows warm_search() has done since the rows were set forms.scoring.score_visit(...) None at the baseline when the visit was ever signed, else None since the previous visit (None at the first visit)</extracomment>
        <translation>已解锁</translation>
    </message>
    <message>
        <source>{name}, {at}</source>
        <translation>{name}，{at}</translation>
    </message>
    <message>
        <source>added</source>
        <translation>新增</translation>
    </message>
    <message>
        <source>changed</source>
        <translation>有变化</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <source>MRN</source>
        <translation>病历号</translation>
    </message>
    <message>
        <source>baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <source>ACR/EULAR</source>
        <translation>ACR/EULAR</translation>
    </message>
    <message>
        <source>PRINTO</source>
        <translation>PRINTO</translation>
    </message>
    <message>
        <source>CID</source>
        <translation>CID</translation>
    </message>
    <message>
        <source>Signed off</source>
        <translation>已签署</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>操作者</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Old value</source>
        <translation>原值</translation>
    </message>
    <message>
        <source>New value</source>
        <translation>新值</translation>
    </message>
    <message>
        <source>missed</source>
        <extracomment>&quot;2024-04-01 (+/- 14 d)&quot; or &quot;&quot; for other visits the recorded visit &quot;done&quot;, &quot;done, 9 days late&quot;, &quot;due&quot;, &quot;missed&quot;, &quot;not yet&quot;, &quot;out of protocol&quot;</extracomment>
        <translation>已错过</translation>
    </message>
    <message>
        <source>due now</source>
        <translation>现在到期</translation>
    </message>
    <message>
        <source>not yet</source>
        <translation>尚未到期</translation>
    </message>
    <message>
        <source>outside the window ({days:+d} d)</source>
        <translation>在时间窗外（{days:+d} 天）</translation>
    </message>
    <message>
        <source>in the window ({days:+d} d)</source>
        <translation>在时间窗内（{days:+d} 天）</translation>
    </message>
    <message>
        <source>; repeated</source>
        <translation>；重复</translation>
    </message>
    <message>
        <source>(no label)</source>
        <translation>（无标签）</translation>
    </message>
    <message>
        <source>not in protocol summaries</source>
        <translation>不计入方案汇总</translation>
    </message>
    <message>
        <source>CMAS ({range})</source>
        <translation>CMAS（{range}）</translation>
    </message>
    <message>
        <source>MMT-8 ({range})</source>
        <translation>MMT-8（{range}）</translation>
    </message>
    <message>
        <source>Physician global ({range})</source>
        <translation>医生总体评估（{range}）</translation>
    </message>
    <message>
        <source>CK / ULN</source>
        <translation>CK / ULN</translation>
    </message>
    <message>
        <source>Oral steroid mg/kg/day</source>
        <translation>口服激素 mg/kg/d</translation>
    </message>
    <message>
        <source>(no name recorded)</source>
        <translation>（未记录姓名）</translation>
    </message>
    <message>
        <source>{age} y</source>
        <translation>{age} 岁</translation>
    </message>
    <message>
        <source>MRN {mrn}</source>
        <translation>病历号 {mrn}</translation>
    </message>
    <message>
        <source>Protocol visit</source>
        <translation>方案随访</translation>
    </message>
    <message>
        <source>Target date (window)</source>
        <translation>目标日期（时间窗）</translation>
    </message>
    <message>
        <source>Visit date</source>
        <translation>随访日期</translation>
    </message>
    <message>
        <source>Timing</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>{sid}: new visit {date} (unsaved changes from {stamp})</source>
        <extracomment>a ``PatientSummary``-ordered storage tuple -&gt; the fields of a PatientRow, in their order the previous session on this file ended uncleanly, so the whole file was checked keys of drafts that could not be read and were kept aside (reported at start)</extracomment>
        <translation>{sid}：新访视 {date}（{stamp} 起的未保存更改）</translation>
    </message>
    <message>
        <source>{sid}: visit {date} (unsaved changes from {stamp})</source>
        <translation>{sid}：访视 {date}（{stamp} 起的未保存更改）</translation>
    </message>
    <message>
        <source>, by {who}</source>
        <translation>，操作者 {who}</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Ctrl+F  find a patient (study ID, MRN, name; Enter opens the top match)
Ctrl+D  due and overdue protocol visits
Alt+Left  back
Ctrl+Shift+N  new patient;  Ctrl+N  new visit
Ctrl+S  save the visit
Ctrl+PgDown / Ctrl+PgUp  next / previous form;  Alt+1..9  go to form
In a grade or score box: type the digit (1 then 0 for 10, however slowly), t = trace, n = not applicable, Delete = not assessed; Tab moves on
Visit label: 3 or m3 = M3, 1 8 = M18, f = flare, u = unscheduled
Ctrl+Shift+O  carry over the previous visit&apos;s assessor and ULNs (new visit)
Menu key or Shift+F10 on a field: record why it has no value
Delete on a visit, medication or adverse event row: delete it (asks first)
Ctrl+H  history of the visit;  Ctrl+E  export Excel;  Ctrl+P  patient PDF
Ctrl+Shift+L  lock the window (your password unlocks it)</source>
        <translation>Ctrl+F  查找患者（研究编号、病历号、姓名；Enter 打开最佳匹配）
Ctrl+D  到期和逾期的方案随访
Alt+Left  返回
Ctrl+Shift+N  新建患者；  Ctrl+N  新建随访
Ctrl+S  保存随访
Ctrl+PgDown / Ctrl+PgUp  下一张 / 上一张表；  Alt+1..9  转到表
在分级或评分框中：输入数字（10 为先 1 后 0，快慢均可），t = 微弱收缩，n = 不适用，Delete = 未评估；Tab 移到下一项
随访标签：3 或 m3 = M3，1 8 = M18，f = 复发，u = 计划外
Ctrl+Shift+O  沿用上次随访的评估者和正常值上限（新随访）
在字段上按菜单键或 Shift+F10：记录无数值的原因
在随访、用药或不良事件行上按 Delete：删除（先确认）
Ctrl+H  随访修改记录；  Ctrl+E  导出 Excel；  Ctrl+P  患者 PDF
Ctrl+Shift+L  锁定窗口（用您的密码解锁）</translation>
    </message>
    <message>
        <source>About JDM Capture</source>
        <translation>关于 JDM Capture</translation>
    </message>
    <message>
        <source>JDM Capture: offline capture, scoring and reporting of juvenile dermatomyositis core set measures.</source>
        <translation>JDM Capture：幼年皮肌炎核心指标的离线采集、计分与报告。</translation>
    </message>
    <message>
        <source>New patient</source>
        <extracomment>what the patient page&apos;s record signals carry</extracomment>
        <translation>新建患者</translation>
    </message>
    <message>
        <source>Edit patient</source>
        <translation>编辑患者</translation>
    </message>
    <message>
        <source>patient {who} and everything recorded about them (visits: {visits}, medications: {meds}, adverse events: {events})</source>
        <translation>患者 {who} 及其全部记录（访视 {visits} 次，用药 {meds} 条，不良事件 {events} 条）</translation>
    </message>
    <message>
        <source>Delete patient</source>
        <translation>删除患者</translation>
    </message>
    <message>
        <source>Deleted patient {who}.</source>
        <translation>已删除患者 {who}。</translation>
    </message>
    <message>
        <source>Add medication</source>
        <translation>添加用药</translation>
    </message>
    <message>
        <source>Edit medication</source>
        <translation>编辑用药</translation>
    </message>
    <message>
        <source>Add adverse event</source>
        <translation>添加不良事件</translation>
    </message>
    <message>
        <source>Edit adverse event</source>
        <translation>编辑不良事件</translation>
    </message>
    <message>
        <source>Change dose: {drug}</source>
        <translation>调整剂量：{drug}</translation>
    </message>
    <message>
        <source>Delete {what}?

This cannot be undone here; the deletion is recorded in the audit trail.</source>
        <translation>删除{what}？

此操作在这里无法撤销；删除会记录在审计追踪中。</translation>
    </message>
    <message>
        <source>Choose a saved visit first.</source>
        <translation>请先选择一次已保存的访视。</translation>
    </message>
    <message>
        <source>the visit of {date}{label} of patient {sid}</source>
        <translation>患者 {sid} 于 {date}{label} 的访视</translation>
    </message>
    <message>
        <source>Delete visit</source>
        <translation>删除访视</translation>
    </message>
    <message>
        <source>Deleted {what}.</source>
        <translation>已删除{what}。</translation>
    </message>
    <message>
        <source>Delete medication</source>
        <translation>删除用药</translation>
    </message>
    <message>
        <source>the medication {drug} started {start} of patient {sid}</source>
        <translation>患者 {sid} 于 {start} 开始的用药 {drug}</translation>
    </message>
    <message>
        <source>Delete adverse event</source>
        <translation>删除不良事件</translation>
    </message>
    <message>
        <source>the adverse event {term} of {onset} of patient {sid}</source>
        <translation>患者 {sid} 于 {onset} 发生的不良事件 {term}</translation>
    </message>
    <message>
        <source>History of {what}</source>
        <translation>{what}的修改记录</translation>
    </message>
    <message>
        <source>the visit</source>
        <translation>该随访</translation>
    </message>
    <message>
        <source>{who}, visit {visit}</source>
        <translation>{who}，随访 {visit}</translation>
    </message>
    <message>
        <source>No upgraded visit labels to review.</source>
        <translation>没有需要核对的升级随访标签。</translation>
    </message>
    <message>
        <source>Encrypting...</source>
        <translation>正在加密……</translation>
    </message>
</context>
<context>
    <name>AccountsDialog</name>
    <message>
        <source>Accounts and security</source>
        <translation>账户与安全</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Password (new or reset)</source>
        <translation>密码（新建或重置）</translation>
    </message>
    <message>
        <source>Add account</source>
        <translation>添加账户</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <source>Change role</source>
        <translation>更改角色</translation>
    </message>
    <message>
        <source>Remove account</source>
        <translation>删除账户</translation>
    </message>
    <message>
        <source>Lock the window after this many minutes without input:</source>
        <translation>无操作多少分钟后锁定窗口：</translation>
    </message>
    <message>
        <source>Idle lock minutes</source>
        <translation>空闲锁定分钟数</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Make a new recovery key...</source>
        <translation>生成新的恢复密钥……</translation>
    </message>
    <message>
        <source>  (removed)</source>
        <translation>  （已删除）</translation>
    </message>
    <message>
        <source>Added {name}.</source>
        <translation>已添加 {name}。</translation>
    </message>
    <message>
        <source>New password set for {user}.</source>
        <translation>已为 {user} 设置新密码。</translation>
    </message>
    <message>
        <source>Role changed.</source>
        <translation>角色已更改。</translation>
    </message>
    <message>
        <source>Removed {user}: the account is inactive and its key slot is deleted.</source>
        <translation>已删除 {user}：该账户已停用，其密钥槽已删除。</translation>
    </message>
    <message>
        <source>The window now locks after {n} minutes.</source>
        <translation>窗口将在 {n} 分钟无操作后锁定。</translation>
    </message>
    <message>
        <source>A new recovery key was made; the old one no longer works.</source>
        <translation>已生成新的恢复密钥；旧密钥不再有效。</translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <source>patient {sid}</source>
        <translation>患者 {sid}</translation>
    </message>
    <message>
        <source>, visit {v}</source>
        <translation>，访视 {v}</translation>
    </message>
    <message>
        <source>, medication {v}</source>
        <translation>，用药 {v}</translation>
    </message>
    <message>
        <source>, adverse event {v}</source>
        <translation>，不良事件 {v}</translation>
    </message>
    <message>
        <source>: signed off</source>
        <translation>：已签署</translation>
    </message>
    <message>
        <source>: unlocked (signature of {name} voided)</source>
        <translation>：已解锁（{name} 的签名已作废）</translation>
    </message>
    <message>
        <source>Baseline visit</source>
        <translation>基线访视</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Patient record number</source>
        <translation>患者记录号</translation>
    </message>
</context>
<context>
    <name>AutoBackup</name>
    <message>
        <source>Automatic backup...</source>
        <translation>正在自动备份……</translation>
    </message>
    <message>
        <source>Automatic backup failed: {error}</source>
        <translation>自动备份失败：{error}</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Change my password</source>
        <translation>修改我的密码</translation>
    </message>
    <message>
        <source>Signed in as {name} ({user}).</source>
        <translation>已登录：{name}（{user}）。</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>当前密码</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>再次输入新密码</translation>
    </message>
    <message>
        <source>New password (at least {n} characters)</source>
        <translation>新密码（至少 {n} 个字符）</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
</context>
<context>
    <name>DraftsDialog</name>
    <message>
        <source>Unsaved visits found</source>
        <translation>发现未保存的访视</translation>
    </message>
    <message>
        <source>JDM Capture was closed while these visits had unsaved changes. Open one to review and save it, or discard them all.</source>
        <translation>JDM Capture 关闭时这些访视有未保存的更改。打开其中一个以核对并保存，或全部放弃。</translation>
    </message>
    <message>
        <source>Open draft</source>
        <translation>打开草稿</translation>
    </message>
    <message>
        <source>Discard all</source>
        <translation>全部放弃</translation>
    </message>
</context>
<context>
    <name>DueListPage</name>
    <message>
        <source>&lt; Patients</source>
        <translation>&lt; 患者</translation>
    </message>
    <message>
        <source>Due and overdue visits</source>
        <translation>到期和逾期随访</translation>
    </message>
    <message>
        <source>Also &amp;upcoming (window opens within 14 days)</source>
        <translation>同时显示即将到期（14 天内进入时间窗）(&amp;U)</translation>
    </message>
    <message>
        <source>as of {day}: {n} patients, {o} overdue</source>
        <translation>截至 {day}：{n} 名患者，{o} 名逾期</translation>
    </message>
    <message>
        <source>No protocol visit is due or overdue.</source>
        <translation>没有到期或逾期的方案随访。</translation>
    </message>
    <message>
        <source>Enter or double-click opens the patient; click a column header to sort.</source>
        <translation>按 Enter 或双击打开患者；点击列标题排序。</translation>
    </message>
</context>
<context>
    <name>EncryptDialog</name>
    <message>
        <source>Encrypt this database</source>
        <translation>加密此数据库</translation>
    </message>
    <message>
        <source>{name} is not encrypted: anyone who copies it reads every patient. Encrypting writes an encrypted copy, checks it against the original, then replaces the file and its backups; from then on everyone signs in with their own account. Create the administrator account.</source>
        <translation>{name} 未加密：任何复制它的人都能看到所有患者。加密会写出加密副本并与原文件核对，然后替换该文件及其备份；此后每个人都用自己的账户登录。请创建管理员账户。</translation>
    </message>
    <message>
        <source>Encrypt</source>
        <translation>加密</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <source>No changes recorded for this visit.</source>
        <translation>本次访视没有更改记录。</translation>
    </message>
</context>
<context>
    <name>IntegrityWatch</name>
    <message>
        <source>The daily check found damage in {name}. Keep working only if you must; make a copy of the file and restore the most recent backup (File &gt; Restore from backup).</source>
        <translation>每日检查发现 {name} 已损坏。除非必要请不要继续工作；请复制该文件并恢复最近的备份（文件 &gt; 从备份恢复）。</translation>
    </message>
    <message>
        <source>Daily check of {name}: the whole file is healthy.</source>
        <translation>{name} 每日检查：整个文件完好。</translation>
    </message>
    <message>
        <source>Checking the database...</source>
        <translation>正在检查数据库……</translation>
    </message>
</context>
<context>
    <name>LabelReviewDialog</name>
    <message>
        <source>Visit labels matched to the study protocol</source>
        <translation>已与研究方案匹配的随访标签</translation>
    </message>
    <message>
        <source>Visit labels are now the visits of the study protocol (M0, M3, M6, ...), unscheduled or flare. The upgrade matched the labels typed before as below; a label that matched no protocol visit became &quot;unscheduled&quot;. Check them once; open a visit (Enter) to pick another label.</source>
        <translation>随访标签现在取自研究方案的随访（M0、M3、M6……）、计划外随访或复发。升级时已将之前输入的标签按下表匹配；未能匹配任何方案随访的标签记为“计划外”。请核对一次；打开随访（Enter）可选择其他标签。</translation>
    </message>
    <message>
        <source>Study ID</source>
        <translation>研究编号</translation>
    </message>
    <message>
        <source>Visit date</source>
        <translation>随访日期</translation>
    </message>
    <message>
        <source>Label before</source>
        <translation>原标签</translation>
    </message>
    <message>
        <source>Protocol label</source>
        <translation>方案标签</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>signed visit: label kept, read as the protocol label</source>
        <translation>已签署的随访：保留原标签，按方案标签解读</translation>
    </message>
    <message>
        <source>Reviewed: don&apos;t show again</source>
        <translation>已核对：不再显示</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
</context>
<context>
    <name>LevelPicker</name>
    <message>
        <source>n/a  not applicable</source>
        <translation>n/a  不适用</translation>
    </message>
</context>
<context>
    <name>LockPage</name>
    <message>
        <source>JDM Capture is locked</source>
        <translation>JDM Capture 已锁定</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Signed in: {name}. Enter your password to continue, or sign in as another person (the open visit is kept as a draft under {name}&apos;s name).</source>
        <translation>已登录：{name}。输入密码继续，或以其他人身份登录（打开的访视会以 {name} 的名义保留为草稿）。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <extracomment>what a menu action&apos;s shortcut may be given as</extracomment>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New database...</source>
        <translation>新建数据库(&amp;N)……</translation>
    </message>
    <message>
        <source>&amp;Open database...</source>
        <translation>打开数据库(&amp;O)……</translation>
    </message>
    <message>
        <source>&amp;Backup now...</source>
        <translation>立即备份(&amp;B)……</translation>
    </message>
    <message>
        <source>&amp;Restore from backup...</source>
        <translation>从备份恢复(&amp;R)……</translation>
    </message>
    <message>
        <source>&amp;Import case files (JSON)...</source>
        <translation>导入病例文件（JSON）(&amp;I)……</translation>
    </message>
    <message>
        <source>Import spreads&amp;heet (Excel)...</source>
        <translation>导入电子表格（Excel）(&amp;H)……</translation>
    </message>
    <message>
        <source>Save data-entry &amp;template...</source>
        <translation>保存数据录入模板(&amp;T)……</translation>
    </message>
    <message>
        <source>Export &amp;Excel...</source>
        <translation>导出 Excel(&amp;E)……</translation>
    </message>
    <message>
        <source>Export &amp;JSON case file...</source>
        <translation>导出 JSON 病例文件(&amp;J)……</translation>
    </message>
    <message>
        <source>Export for RE&amp;DCap...</source>
        <translation>导出到 REDCap(&amp;D)……</translation>
    </message>
    <message>
        <source>&amp;Patient PDF report...</source>
        <translation>患者 PDF 报告(&amp;P)……</translation>
    </message>
    <message>
        <source>Patient PDF report, de-identi&amp;fied...</source>
        <translation>患者 PDF 报告，去标识(&amp;F)……</translation>
    </message>
    <message>
        <source>&amp;Cohort PDF report...</source>
        <translation>队列 PDF 报告(&amp;C)……</translation>
    </message>
    <message>
        <source>P&amp;rint patient report...</source>
        <translation>打印患者报告(&amp;R)……</translation>
    </message>
    <message>
        <source>Print c&amp;ohort report...</source>
        <translation>打印队列报告(&amp;O)……</translation>
    </message>
    <message>
        <source>&amp;Settings...</source>
        <translation>设置(&amp;S)……</translation>
    </message>
    <message>
        <source>Accounts and securit&amp;y...</source>
        <translation>账户与安全(&amp;Y)……</translation>
    </message>
    <message>
        <source>Change my pass&amp;word...</source>
        <translation>修改我的密码(&amp;W)……</translation>
    </message>
    <message>
        <source>&amp;Lock</source>
        <translation>锁定(&amp;L)</translation>
    </message>
    <message>
        <source>E&amp;ncrypt this database...</source>
        <translation>加密此数据库(&amp;N)……</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Patients</source>
        <translation>患者列表(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation>返回(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Find patient</source>
        <translation>查找患者(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Due and overdue visits</source>
        <translation>到期和逾期随访(&amp;D)</translation>
    </message>
    <message>
        <source>Review upgraded visit &amp;labels...</source>
        <translation>核对升级后的随访标签(&amp;L)……</translation>
    </message>
    <message>
        <source>&amp;Patient</source>
        <translation>患者(&amp;P)</translation>
    </message>
    <message>
        <source>New &amp;patient...</source>
        <translation>新建患者(&amp;P)……</translation>
    </message>
    <message>
        <source>New &amp;visit</source>
        <translation>新建访视(&amp;V)</translation>
    </message>
    <message>
        <source>Visit &amp;history...</source>
        <translation>访视历史(&amp;H)……</translation>
    </message>
    <message>
        <source>&amp;Delete visit...</source>
        <translation>删除访视(&amp;D)……</translation>
    </message>
    <message>
        <source>Delete pa&amp;tient...</source>
        <translation>删除患者(&amp;T)……</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About JDM Capture</source>
        <translation>关于 JDM Capture(&amp;A)</translation>
    </message>
    <message>
        <source>no database</source>
        <translation>未打开数据库</translation>
    </message>
    <message>
        <source>JDM Capture - {name}</source>
        <translation>JDM Capture - {name}</translation>
    </message>
    <message>
        <source>This database is not encrypted: File &gt; Encrypt this database.</source>
        <translation>此数据库未加密：文件 &gt; 加密此数据库。</translation>
    </message>
    <message>
        <source>{who}: new visit</source>
        <translation>{who}：新随访</translation>
    </message>
    <message>
        <source>{who}: visit {date}</source>
        <translation>{who}：{date} 随访</translation>
    </message>
    <message>
        <source>Open a patient first.</source>
        <translation>请先打开一位患者。</translation>
    </message>
    <message>
        <source>Visit saved.</source>
        <translation>访视已保存。</translation>
    </message>
    <message>
        <source>Work in progress</source>
        <translation>任务进行中</translation>
    </message>
    <message>
        <source>An export or backup is still running. Wait for it to finish and quit?</source>
        <translation>导出或备份仍在进行。等待其完成后退出？</translation>
    </message>
</context>
<context>
    <name>MedicationModel</name>
    <message>
        <source>As prescribed</source>
        <translation>按处方</translation>
    </message>
</context>
<context>
    <name>NotesEntry</name>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>PasswordPrompt</name>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Enter the password.</source>
        <translation>请输入密码。</translation>
    </message>
</context>
<context>
    <name>PatientListPage</name>
    <message>
        <source>Patients</source>
        <translation>患者列表</translation>
    </message>
    <message>
        <source>Find a patient: study ID, MRN or name; Enter opens the first (Ctrl+F)</source>
        <translation>查找患者：研究编号、病历号或姓名；Enter 打开第一个（Ctrl+F）</translation>
    </message>
    <message>
        <source>D&amp;ue and overdue (Ctrl+D)</source>
        <translation>到期和逾期(&amp;U)（Ctrl+D）</translation>
    </message>
    <message>
        <source>&amp;New patient...</source>
        <translation>新建患者(&amp;N)……</translation>
    </message>
    <message>
        <source>{shown} of {total}</source>
        <extracomment>rows folded for the finder per event-loop turn (~5 ms at 5,000 patients)</extracomment>
        <translation>显示 {shown} / 共 {total}</translation>
    </message>
    <message>
        <source>No patient matches “{text}” (study ID, MRN, name, sex, dates and scores are searched).</source>
        <translation>没有与“{text}”匹配的患者（已搜索研究编号、病历号、姓名、性别、日期和评分）。</translation>
    </message>
    <message>
        <source>No patients yet. Add one with New patient (Ctrl+Shift+N) or import case files from the File menu.</source>
        <translation>尚无患者。用“新建患者”（Ctrl+Shift+N）添加，或从“文件”菜单导入病例文件。</translation>
    </message>
</context>
<context>
    <name>PatientPage</name>
    <message>
        <source>&lt; Patients</source>
        <translation>&lt; 患者</translation>
    </message>
    <message>
        <source>Back to the patient list (Alt+Left)</source>
        <translation>返回患者列表（Alt+Left）</translation>
    </message>
    <message>
        <source>&amp;Edit patient...</source>
        <translation>编辑患者(&amp;E)……</translation>
    </message>
    <message>
        <source>New &amp;visit (Ctrl+N)</source>
        <translation>新建访视(&amp;V)（Ctrl+N）</translation>
    </message>
    <message>
        <source>&amp;Open visit</source>
        <translation>打开访视(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;History...</source>
        <translation>历史(&amp;H)……</translation>
    </message>
    <message>
        <source>&amp;Delete visit...</source>
        <translation>删除访视(&amp;D)……</translation>
    </message>
    <message>
        <source>Delete the selected visit (Delete key)</source>
        <translation>删除所选访视（Delete 键）</translation>
    </message>
    <message>
        <source>&amp;Visits and trends</source>
        <translation>访视与趋势(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Medications</source>
        <translation>用药(&amp;M)</translation>
    </message>
    <message>
        <source>Add medication...</source>
        <translation>添加用药……</translation>
    </message>
    <message>
        <source>Delete medication...</source>
        <translation>删除用药……</translation>
    </message>
    <message>
        <source>&amp;Adverse events</source>
        <translation>不良事件(&amp;A)</translation>
    </message>
    <message>
        <source>Add adverse event...</source>
        <translation>添加不良事件……</translation>
    </message>
    <message>
        <source>Delete adverse event...</source>
        <translation>删除不良事件……</translation>
    </message>
    <message>
        <source>Change &amp;dose...</source>
        <translation>调整剂量(&amp;D)……</translation>
    </message>
    <message>
        <source>A new dose of the selected course from a date (a taper step): the current dose stops the day before, both stay in the course&apos;s history</source>
        <translation>所选疗程自某日起的新剂量（减量一步）：当前剂量于前一日停止，两者都保留在疗程记录中</translation>
    </message>
    <message>
        <source>&amp;Protocol schedule</source>
        <translation>方案随访表(&amp;P)</translation>
    </message>
    <message>
        <source>Delete the selected row (Delete key)</source>
        <translation>删除所选行（Delete 键）</translation>
    </message>
    <message>
        <source>  (age {age} y)</source>
        <translation>（{age} 岁）</translation>
    </message>
</context>
<context>
    <name>ProblemList</name>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>No problems found.</source>
        <translation>未发现问题。</translation>
    </message>
</context>
<context>
    <name>ProgressArea</name>
    <message>
        <source>Open</source>
        <extracomment>opens a storage repository for a worker thread: a context manager yielding the repository. jobs submitted and not yet reported back of those, jobs that write (the GUI defers its drafts meanwhile) of those, jobs the user started (closing the window asks first) holds the database&apos;s write lock (import, demo cohort) closing the window while it runs asks first (False for internal upkeep jobs)</extracomment>
        <translation>打开</translation>
    </message>
    <message>
        <source>Show folder</source>
        <translation>打开所在文件夹</translation>
    </message>
</context>
<context>
    <name>RecordDialog</name>
    <message>
        <source>Generic name: the first letters complete it (Methotrexate); any other name allowed</source>
        <extracomment>fields whose problems are shown: touched by the user, given initially, or all after an OK that was refused</extracomment>
        <translation>通用名：输入前几个字母即可补全（如甲氨蝶呤）；也可填写其他名称</translation>
    </message>
    <message>
        <source>Listed JDM treatments: {names}</source>
        <translation>列表中的 JDM 治疗药物：{names}</translation>
    </message>
    <message>
        <source>Times per day</source>
        <translation>每日次数</translation>
    </message>
    <message>
        <source>Times per week</source>
        <translation>每周次数</translation>
    </message>
    <message>
        <source>Times per month</source>
        <translation>每月次数</translation>
    </message>
    <message>
        <source>As prescribed: {drug} {how}</source>
        <translation>按处方：{drug} {how}</translation>
    </message>
    <message>
        <source>Discard this entry?</source>
        <translation>放弃此条输入？</translation>
    </message>
    <message>
        <source>You have typed into this form. Close it and discard what you typed?</source>
        <translation>您已在此表单中输入内容。关闭并放弃所输入的内容吗？</translation>
    </message>
</context>
<context>
    <name>RecoverDialog</name>
    <message>
        <source>Reset a password with the recovery key</source>
        <translation>用恢复密钥重置密码</translation>
    </message>
    <message>
        <source>Type the recovery key printed when the database was set up, the administrator account to reset, and its new password. The reset is recorded.</source>
        <translation>请输入建立数据库时打印的恢复密钥、要重置的管理员账户及其新密码。重置操作会被记录。</translation>
    </message>
    <message>
        <source>Recovery key</source>
        <translation>恢复密钥</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>再次输入新密码</translation>
    </message>
    <message>
        <source>Administrator user name</source>
        <translation>管理员用户名</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>RecoveryKeyDialog</name>
    <message>
        <source>Recovery key</source>
        <translation>恢复密钥</translation>
    </message>
    <message>
        <source>This recovery key opens the database and resets an administrator&apos;s password if every administrator password is forgotten. It is shown only now: print it or write it down, and keep it locked away, apart from the computer.</source>
        <translation>如果所有管理员密码都忘记了，此恢复密钥可打开数据库并重置管理员密码。它只显示这一次：请打印或抄写下来，锁好保存，并与计算机分开存放。</translation>
    </message>
    <message>
        <source>I have written it down or printed it</source>
        <translation>我已抄写或打印</translation>
    </message>
</context>
<context>
    <name>ResponsePanel</name>
    <message>
        <source>changed</source>
        <translation>有变化</translation>
    </message>
    <message>
        <source>no change</source>
        <translation>无变化</translation>
    </message>
    <message>
        <source>improved</source>
        <translation>改善</translation>
    </message>
    <message>
        <source>worsened</source>
        <translation>加重</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Response against the baseline visit</source>
        <translation>相对基线访视的疗效应答</translation>
    </message>
    <message>
        <source>No baseline visit yet: responses are measured from the patient&apos;s baseline visit.</source>
        <translation>尚无基线访视：疗效应答以患者的基线访视为参照。</translation>
    </message>
    <message>
        <source>Baseline: &lt;b&gt;{visit}&lt;/b&gt;. This visit is dated before it, so it has no response: responses are measured only for visits after the baseline.</source>
        <translation>基线：&lt;b&gt;{visit}&lt;/b&gt;。本次访视早于基线，因此没有疗效应答：仅对基线之后的访视计算疗效应答。</translation>
    </message>
    <message>
        <source>Baseline: &lt;b&gt;{visit}&lt;/b&gt;. Enter a valid visit date: responses are measured for visits after the baseline.</source>
        <translation>基线：&lt;b&gt;{visit}&lt;/b&gt;。请输入有效的访视日期：仅对基线之后的访视计算疗效应答。</translation>
    </message>
    <message>
        <source>This is the baseline visit ({visit}); responses of later visits are measured from it.</source>
        <translation>这是基线访视（{visit}）；之后各次访视的疗效应答以它为参照。</translation>
    </message>
    <message>
        <source>Baseline: &lt;b&gt;{visit}&lt;/b&gt;</source>
        <translation>基线：&lt;b&gt;{visit}&lt;/b&gt;</translation>
    </message>
    <message>
        <source>{n} so far</source>
        <translation>目前 {n}</translation>
    </message>
    <message>
        <source>ACR/EULAR 2016 Total Improvement Score</source>
        <translation>ACR/EULAR 2016 总体改善评分</translation>
    </message>
    <message>
        <source>({n} of 6 measures; muscle measure {m})</source>
        <translation>（6 项指标中 {n} 项；肌力指标 {m}）</translation>
    </message>
    <message>
        <source>, {side} side</source>
        <translation>，{side}侧</translation>
    </message>
    <message>
        <source>Missing: {names}</source>
        <translation>缺失：{names}</translation>
    </message>
    <message>
        <source>Parent row: {m}</source>
        <translation>家长指标：{m}</translation>
    </message>
    <message>
        <source>Core set measure</source>
        <translation>核心指标</translation>
    </message>
    <message>
        <source>Baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>随访</translation>
    </message>
    <message>
        <source>% change</source>
        <translation>变化 %</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>满分</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>PRINTO criteria for improvement</source>
        <translation>PRINTO 改善标准</translation>
    </message>
    <message>
        <source>Variable</source>
        <translation>变量</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>PRINTO clinically inactive disease (this visit)</source>
        <translation>PRINTO 临床无活动性疾病（本次访视）</translation>
    </message>
    <message>
        <source>Criterion</source>
        <translation>标准</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Met</source>
        <translation>满足</translation>
    </message>
</context>
<context>
    <name>RestoreDialog</name>
    <message>
        <source>Restore from backup</source>
        <translation>从备份恢复</translation>
    </message>
    <message>
        <source>Replace {name} with a backup. The current file is kept beside it (named {stem}.before-restore-&lt;time&gt;), never overwritten.</source>
        <translation>用备份替换 {name}。当前文件会保留在旁边（名为 {stem}.before-restore-&lt;时间&gt;），绝不覆盖。</translation>
    </message>
    <message>
        <source>Backups</source>
        <translation>备份</translation>
    </message>
    <message>
        <source>No backups in {folder} yet.</source>
        <translation>{folder} 中尚无备份。</translation>
    </message>
    <message>
        <source>Choose another file...</source>
        <translation>选择其他文件……</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Choose a backup</source>
        <translation>选择备份</translation>
    </message>
    <message>
        <source>JDM Capture database (*.sqlite *.db);;All files (*)</source>
        <translation>JDM Capture 数据库 (*.sqlite *.db);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>SetUpDialog</name>
    <message>
        <source>Set up JDM Capture</source>
        <translation>设置 JDM Capture</translation>
    </message>
    <message>
        <source>{name} is new. It will be encrypted: only people with an account can open it. Create the administrator account (you can add colleagues&apos; accounts later, File &gt; Accounts and security).</source>
        <translation>{name} 是新数据库，将被加密：只有拥有账户的人才能打开。请创建管理员账户（之后可在“文件 &gt; 账户与安全”中添加同事的账户）。</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>Full name (shown on signatures)</source>
        <translation>姓名（显示在签名上）</translation>
    </message>
    <message>
        <source>Password (at least {n} characters)</source>
        <translation>密码（至少 {n} 个字符）</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Assessor name (pre-filled in new visits)</source>
        <translation>评估者姓名（新访视中预先填写）</translation>
    </message>
    <message>
        <source>TIS muscle measure</source>
        <translation>TIS 肌力指标</translation>
    </message>
    <message>
        <source>Default ULN: {label}</source>
        <translation>默认正常值上限：{label}</translation>
    </message>
    <message>
        <source>Protocol visits as month:window in days, separated by commas; the target day is the month x 365 / 12 days after baseline. M0 (0:0) comes first.</source>
        <translation>方案随访写作 月:时间窗天数，以逗号分隔；目标日为基线后 月数 × 365 / 12 天。M0（0:0）在最前。</translation>
    </message>
    <message>
        <source>Study protocol visits (month:+/- days)</source>
        <translation>研究方案随访（月:±天）</translation>
    </message>
    <message>
        <source>then every</source>
        <translation>之后每隔</translation>
    </message>
    <message>
        <source>months, +/-</source>
        <translation>个月，±</translation>
    </message>
    <message>
        <source>days, until month</source>
        <translation>天，直至第几个月</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <source>Language (this computer); takes effect when JDM Capture is restarted</source>
        <translation>界面语言（本计算机）；重新启动 JDM Capture 后生效</translation>
    </message>
    <message>
        <source>Study protocol: {why}</source>
        <translation>研究方案：{why}</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>{name} is encrypted. Sign in with your own account.</source>
        <translation>{name} 已加密。请用您自己的账户登录。</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Forgot your password?</source>
        <translation>忘记密码？</translation>
    </message>
</context>
<context>
    <name>SignOffDialog</name>
    <message>
        <source>Sign off visit</source>
        <translation>签署访视</translation>
    </message>
    <message>
        <source>By signing you confirm that this visit&apos;s data were verified against source (meaning recorded: &quot;{meaning}&quot;). The visit becomes read-only; the patient&apos;s PDF case summary is stored with the signature.</source>
        <translation>签署即表示您确认本次访视的数据已与原始资料核对（记录的含义：“{meaning}”）。访视将变为只读；患者的 PDF 病例摘要会与签名一并保存。</translation>
    </message>
    <message>
        <source>Assessor&apos;s name</source>
        <translation>评估者姓名</translation>
    </message>
    <message>
        <source>Signer&apos;s user name</source>
        <translation>签署人用户名</translation>
    </message>
    <message>
        <source>Signer&apos;s password</source>
        <translation>签署人密码</translation>
    </message>
    <message>
        <source>Password, entered at each signing</source>
        <translation>密码，每次签署时输入</translation>
    </message>
    <message>
        <source>Sign with your own user name and password (an investigator or administrator). The signature shows your full name and the time of signing.</source>
        <translation>请用您自己的用户名和密码签署（研究者或管理员）。签名会显示您的姓名和签署时间。</translation>
    </message>
    <message>
        <source>Sign off</source>
        <translation>签署</translation>
    </message>
</context>
<context>
    <name>SignoffBar</name>
    <message>
        <source>Sign off...</source>
        <translation>签署……</translation>
    </message>
    <message>
        <source>Verify the visit against source and sign it off</source>
        <translation>将访视与原始资料核对后签署</translation>
    </message>
    <message>
        <source>Unlock...</source>
        <translation>解锁……</translation>
    </message>
    <message>
        <source>Void the signature to correct the visit</source>
        <translation>作废签名以更正访视</translation>
    </message>
    <message>
        <source>Not signed (save the visit first)</source>
        <translation>未签署（请先保存访视）</translation>
    </message>
    <message>
        <source>Save your changes before signing off.</source>
        <translation>签署前请先保存更改。</translation>
    </message>
    <message>
        <source>Signing off...</source>
        <translation>正在签署……</translation>
    </message>
    <message>
        <source>Signed by {name} on {when} ({zone}) - {meaning}</source>
        <translation>{name} 于 {when}（{zone}）签署 - {meaning}</translation>
    </message>
</context>
<context>
    <name>TextEntry</name>
    <message>
        <source>YYYY-MM-DD</source>
        <extracomment>the digit just typed when a longer code starts with it (&quot;1&quot; of &quot;10&quot;): the next digit extends it whatever the pause; any other key, a pick or leaving the field ends it.</extracomment>
        <translation>YYYY-MM-DD</translation>
    </message>
    <message>
        <source>Choose the date on a calendar (or type 2024-05-22, 2024/5/22, 2024.5.22 or 20240522)</source>
        <translation>在日历中选择日期（或输入 2024-05-22、2024/5/22、2024.5.22 或 20240522）</translation>
    </message>
</context>
<context>
    <name>TotalsPanel</name>
    <message>
        <source>Live totals</source>
        <extracomment>totals whose Score.parts are the entered item scores, so a running sum means something.</extracomment>
        <translation>实时总分</translation>
    </message>
    <message>
        <source>{label} ({unit})</source>
        <translation>{label}（{unit}）</translation>
    </message>
    <message>
        <source>{so_far} so far</source>
        <translation>目前 {so_far}</translation>
    </message>
</context>
<context>
    <name>TrendChart</name>
    <message>
        <source>Trend chart</source>
        <extracomment>top of the scale (registry maximum), else the data maximum a dashed reference line (e.g. 1 x ULN)</extracomment>
        <translation>趋势图</translation>
    </message>
    <message>
        <source>No visits with these measures yet.</source>
        <translation>尚无含这些指标的访视。</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <source>Unlock signed visit</source>
        <translation>解锁已签署的访视</translation>
    </message>
    <message>
        <source>{status}.
Unlocking voids the signature. Give the reason; it is kept in the visit&apos;s history.</source>
        <translation>{status}。
解锁会作废签名。请填写原因；原因会保存在访视历史中。</translation>
    </message>
    <message>
        <source>Reason for unlocking</source>
        <translation>解锁原因</translation>
    </message>
    <message>
        <source>Reason (required)</source>
        <translation>原因（必填）</translation>
    </message>
    <message>
        <source>Investigator&apos;s user name</source>
        <translation>研究者用户名</translation>
    </message>
    <message>
        <source>Investigator&apos;s password</source>
        <translation>研究者密码</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
</context>
<context>
    <name>VisitEditor</name>
    <message>
        <source>&amp;Baseline visit</source>
        <extracomment>how long after the last keystroke the draft is written (ms). True while another writer (a background import) holds the database: the draft then waits instead of blocking typing for the busy timeout. Set by the main window. what the editor knows around the visit (set_context): the patient&apos;s visit before this one and the medication list, for plausibility, carry-over and the steroid dose.</extracomment>
        <translation>基线访视(&amp;B)</translation>
    </message>
    <message>
        <source>Responses are measured from the baseline visit (default: the earliest visit).</source>
        <translation>疗效应答以基线访视为参照（默认：最早的访视）。</translation>
    </message>
    <message>
        <source>Save (Ctrl+S)</source>
        <translation>保存（Ctrl+S）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Totals</source>
        <translation>总分面板</translation>
    </message>
    <message>
        <source>Show or hide the live totals and problems panel (more room for the form on a small screen)</source>
        <translation>显示或隐藏实时总分和问题面板（小屏幕上给表单留出更多空间）</translation>
    </message>
    <message>
        <source>Carry &amp;over</source>
        <translation>沿用(&amp;O)</translation>
    </message>
    <message>
        <source>Fill these fields from the previous visit (Ctrl+Shift+O); they stay marked until edited</source>
        <translation>用上次随访的数据填写这些字段（Ctrl+Shift+O）；在修改前保持标记</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>页面</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>No value: {reason}</source>
        <translation>无数值：{reason}</translation>
    </message>
    <message>
        <source>From the previous visit ({date}): {items}</source>
        <translation>来自上次随访（{date}）：{items}</translation>
    </message>
    <message>
        <source>Carried over from {date} (marked blue until edited)</source>
        <translation>沿用自 {date}（修改前以蓝色标记）</translation>
    </message>
    <message>
        <source>Clear the reason</source>
        <translation>清除原因</translation>
    </message>
    <message>
        <source>{ratio} x ULN</source>
        <translation>{ratio} × ULN</translation>
    </message>
    <message>
        <source>Unsaved changes (draft kept)</source>
        <translation>有未保存的更改（已保留草稿）</translation>
    </message>
    <message>
        <source>New visit</source>
        <translation>新访视</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <source>Not saved: {n} error(s) to fix first</source>
        <translation>未保存：需先改正 {n} 个错误</translation>
    </message>
    <message>
        <source>Not saved: {why}</source>
        <translation>未保存：{why}</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>Saved {visit}</source>
        <translation>已保存 {visit}</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>This visit has unsaved changes. Save them before leaving?</source>
        <translation>本次访视有未保存的更改。离开前保存吗？</translation>
    </message>
</context>
<context>
    <name>VisitLabelPicker</name>
    <message>
        <source>-</source>
        <translation>-</translation>
    </message>
    <message>
        <source>{label} (not a protocol label)</source>
        <translation>{label}（非方案标签）</translation>
    </message>
</context>
<context>
    <name>_CodePicker</name>
    <message>
        <source>-</source>
        <translation>-</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>{path} cannot be opened: {error}</source>
        <extracomment>the collector&apos;s thresholds from the start of :func:`run` until the first patient list is filled (gen-0 collections ~70x less often: about 25 ms of a ~0.5 s start at 5,000 patients); cycles are still collected. The previous thresholds come back afterwards, and what start-up built (modules, classes, the window) is frozen out of later collections.</extracomment>
        <translation>无法打开 {path}：{error}</translation>
    </message>
</context>
<context>
    <name>body</name>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>dialog</name>
    <message>
        <source>Audit trail: verifying the hash chain...</source>
        <translation>审计追踪：正在验证哈希链……</translation>
    </message>
    <message>
        <source>Audit trail: verified, unaltered ({n} entries, hash chain intact).</source>
        <translation>审计追踪：已验证，未被篡改（{n} 条记录，哈希链完整）。</translation>
    </message>
    <message>
        <source>Audit trail: NOT verified. {reason}. Keep this file and compare it with a backup.</source>
        <translation>审计追踪：未通过验证。{reason}。请保留此文件并与备份比对。</translation>
    </message>
    <message>
        <source>Audit trail: not verified (no database open).</source>
        <translation>审计追踪：未验证（未打开数据库）。</translation>
    </message>
    <message>
        <source>Verifying the audit trail...</source>
        <translation>正在验证审计追踪……</translation>
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <source>present / yes</source>
        <translation>有/是</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <source>Which database should be restored?</source>
        <translation>要恢复哪个数据库？</translation>
    </message>
    <message>
        <source>JDM Capture database (*.sqlite *.db);;All files (*)</source>
        <translation>JDM Capture 数据库 (*.sqlite *.db);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Checking the backup...</source>
        <translation>正在检查备份……</translation>
    </message>
    <message>
        <source>Replace {name} with the backup {backup}?
The current file is kept beside it.</source>
        <translation>用备份 {backup} 替换 {name}？
当前文件会保留在旁边。</translation>
    </message>
    <message>
        <source>check refuses the backup {backup}:
{listed}

Restore it anyway? The findings you accept are written to the audit trail; the current file is kept beside it.</source>
        <translation>检查不通过备份 {backup}：
{listed}

仍要恢复吗？您接受的问题会写入审计追踪；当前文件会保留在旁边。</translation>
    </message>
    <message>
        <source>Restored {name} from {backup}.
{kept}</source>
        <translation>已从 {backup} 恢复 {name}。
{kept}</translation>
    </message>
    <message>
        <source>The previous file was kept as {aside}.</source>
        <translation>原文件已保留为 {aside}。</translation>
    </message>
    <message>
        <source>Restoring...</source>
        <translation>正在恢复……</translation>
    </message>
    <message>
        <source>Reading backups...</source>
        <translation>正在读取备份……</translation>
    </message>
</context>
</TS>
