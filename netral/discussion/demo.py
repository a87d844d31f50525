"""The reference case's discussion: six askers, every question answered (fictitious)."""

from django.db import transaction
from django.utils import timezone

from .models import Question

QUESTIONS = [
    (1, "Bagaimana cara menolak kalau atasan meminta kami ikut mendukung salah satu calon?",
     "Tolak dengan sopan dan tetap bekerja seperti biasa. Mengajak atau mengerahkan sesama PNS untuk kampanye "
     "dilarang (PP 94/2021 Pasal 5 huruf n), dan atasan yang membiarkan pelanggaran bawahannya justru diberi "
     "sanksi lebih berat. Catat kejadiannya dan laporkan bila tekanan berlanjut.", ["B05", "B31"]),
    (2, "Kalau saya hanya like postingan calon di Instagram, apakah itu sudah melanggar?",
     "Ya. Menyukai, mengomentari, atau membagikan konten kampanye calon termasuk pelanggaran netralitas menurut "
     "SKB 2022 (KE-4/D-6), juga di akun pribadi dan di luar jam kerja.", ["B10"]),
    (2, "Bolehkah tetap berada di grup WhatsApp keluarga yang sering berisi kampanye?",
     "Grup keluarga bukan grup pemenangan. Yang dilarang adalah ikut menyebarkan atau mendukung konten kampanye "
     "dan bergabung dengan grup atau akun tim pemenangan calon (SKB 2022 KE-4/D-6).", ["B10", "B11"]),
    (3, "Suami saya maju sebagai calon anggota DPRD, apakah saya boleh mendampinginya saat kampanye?",
     "Hanya bila Anda sedang cuti di luar tanggungan negara, hadir pasif tanpa atribut, tanpa dukungan di media "
     "sosial, dan berfoto tanpa simbol jari (SE MenPANRB 18/2023). Tanpa cuti, itu pelanggaran kode etik.",
     ["B24"]),
    (1, "Ke mana kami melaporkan rekan yang berkampanye di media sosial?",
     "Melalui SBT BKN (menu Pelaporan Publik, Netralitas), SP4N-LAPOR!, atau Bawaslu. Laporan ke Bawaslu harus "
     "diajukan paling lambat 7 hari sejak pelanggaran diketahui.", ["B33"]),
    (3, "Apakah ASN boleh datang ke TPS dan memilih?",
     "Boleh. ASN tetap memiliki hak pilih; yang dilarang adalah berkampanye dan menunjukkan keberpihakan.",
     ["B01"]),
]


@transaction.atomic
def load_demo_discussion(event, *, answered_by) -> int:
    if Question.objects.filter(event=event).exists():
        return Question.objects.filter(event=event).count()
    sessions = {s.order: s for s in event.sessions.all()}
    askers = list(event.participants.filter(attendance__isnull=False).order_by("id")[:6])
    for index, (order, text, answer, codes) in enumerate(QUESTIONS):
        Question.objects.create(
            event=event, session=sessions[order], participant=askers[index], text=text,
            show_name=index % 3 == 0, display_name=askers[index].name if index % 3 == 0 else "",
            status=Question.Status.VISIBLE, votes=0, answered_at=timezone.now(), answered_by=answered_by,
            answer_summary=answer, codes=codes)
    return len(QUESTIONS)
